/**
 * Module: the base of every layer and model, with PyTorch's semantics. Parameters and submodules
 * are found from the module's own properties in the order they were assigned (as PyTorch's
 * `__setattr__` registers them), so a model is just a class:
 *
 * @example
 * class Net extends nn.Module {
 *   embedding = new nn.Embedding(100, 16);
 *   rnn = new nn.LSTM({ inputSize: 16, hiddenSize: 32 });
 *   fc = new nn.Linear(32, 4);
 *   forward(x: Tensor) { ... }
 * }
 * new Net().stateDict(); // { "embedding.weight", "rnn.weight_ih_l0", ..., "fc.bias" }
 *
 * Layers whose parameter names are not valid camelCase properties (`weight_ih_l0`) register them
 * explicitly with `registerParameter`. Arrays of modules (like nn.ModuleList) are children named
 * `name.0`, `name.1`, …
 */
import { noGrad } from "../autograd/tape.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { Parameter } from "./parameter.js";

export abstract class Module {
  training = true;
  private readonly _registered = new Map<string, Parameter | null>();

  /** Registers a parameter under an explicit (PyTorch) name; `null` records an absent one (bias=False). */
  protected registerParameter(name: string, param: Parameter | null): Parameter | null {
    this._registered.set(name, param);
    return param;
  }

  /** Replaces a registered parameter (e.g. after loading). */
  protected getRegistered(name: string): Parameter | null {
    return this._registered.get(name) ?? null;
  }

  /** Direct parameters, then child modules, each with its state-dict name. */
  private ownEntries(): { params: [string, Parameter][]; children: [string, Module][] } {
    const params: [string, Parameter][] = [];
    const children: [string, Module][] = [];
    for (const [name, p] of this._registered) if (p) params.push([name, p]);
    for (const [key, value] of Object.entries(this)) {
      if (key.startsWith("_")) continue;
      if (value instanceof Parameter) {
        if (![...this._registered.values()].includes(value)) params.push([key, value]);
      } else if (value instanceof Module) {
        children.push([key, value]);
      } else if (
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((v) => v instanceof Module)
      ) {
        value.forEach((m: Module, i) => children.push([`${key}.${i}`, m]));
      }
    }
    return { params, children };
  }

  namedChildren(): [string, Module][] {
    return this.ownEntries().children;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every descendant, depth first, with dotted names ("" for this one); a module
   * reachable by two paths is listed once, under the first (as PyTorch's `named_modules`).
   */
  namedModules(prefix = "", memo = new Set<Module>()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, memo));
    }
    return out;
  }

  /** Every (name, parameter) path without removing duplicates: what `state_dict()` lists. */
  private allNamedParameters(prefix = ""): [string, Parameter][] {
    const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
    const out = this.ownEntries().params.map(([name, p]): [string, Parameter] => [at(name), p]);
    for (const [name, child] of this.namedChildren())
      out.push(...child.allNamedParameters(at(name)));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with their dotted state-dict names; shared parameters are listed once. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, p] of module.ownEntries().params) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Parameters by PyTorch key, sharing storage with the module (like `state_dict()`); a shared
   * (tied) parameter appears under each of its names, as in PyTorch.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, p] of this.allNamedParameters()) out[name] = p;
    return out;
  }

  /**
   * Copies values into the parameters. With `strict` (the default) the keys must match exactly;
   * shapes must always match. Every offending key is listed in one error.
   */
  loadStateDict(
    state: Record<string, Tensor>,
    options: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = options.strict ?? true;
    const own = new Map(this.allNamedParameters());
    const missingKeys = [...own.keys()].filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !own.has(k));
    const problems: string[] = [];
    for (const [key, p] of own) {
      const value = state[key];
      if (!value) continue;
      if (!(value instanceof Tensor)) {
        problems.push(`${key}: expected a Tensor, got ${typeof value}`);
      } else if (
        value.shape.length !== p.shape.length ||
        value.shape.some((s, i) => s !== p.shape[i])
      ) {
        problems.push(
          `size mismatch for ${key}: expected ${formatShape(p.shape)}, got ${formatShape(value.shape)}`,
        );
      }
    }
    if (strict) {
      for (const k of missingKeys) problems.push(`missing key: ${k}`);
      for (const k of unexpectedKeys) problems.push(`unexpected key: ${k}`);
    }
    if (problems.length > 0) {
      throw new Error(
        `Error(s) in loading state dict for ${this.constructor.name}:\n  ${problems.join("\n  ")}`,
      );
    }
    noGrad(() => {
      for (const [key, p] of own) {
        const value = state[key];
        if (value)
          p.data.set(value.dtype === "float32" ? value.data : Float32Array.from(value.data));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode here and in every descendant (Dropout and inter-layer dropout use it). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls fn on every descendant then this module (PyTorch's `apply`, e.g. for custom init). */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** The part inside the parentheses of this module's repr, e.g. `in_features=4, out_features=2`. */
  extraRepr(): string {
    return "";
  }

  /** PyTorch-style repr, nested for containers. */
  toString(): string {
    // Arrays of modules print as PyTorch prints the equivalent nn.ModuleList.
    const items: { name: string; repr?: string; list?: [string, string][] }[] = [];
    for (const [n, c] of this.namedChildren()) {
      const dot = n.indexOf(".");
      if (dot < 0) {
        items.push({ name: n, repr: c.toString() });
        continue;
      }
      const key = n.slice(0, dot);
      let item = items.find((it) => it.name === key && it.list);
      if (!item) items.push((item = { name: key, list: [] }));
      item.list!.push([n.slice(dot + 1), c.toString()]);
    }
    const block = (name: string, extra: string, kids: [string, string][]): string => {
      const childLines = kids.map(([n, r]) => `(${n}): ${r.split("\n").join("\n  ")}`);
      const lines = [...(extra ? extra.split("\n") : []), ...childLines];
      if (lines.length === 0) return `${name}()`;
      if (lines.length === 1 && childLines.length === 0) return `${name}(${lines[0]})`;
      return `${name}(\n  ${lines.join("\n  ")}\n)`;
    };
    const kids = items.map(({ name, repr, list }): [string, string] => [
      name,
      repr ?? block("ModuleList", "", list!),
    ]);
    return block(this.constructor.name, this.extraRepr(), kids);
  }
}
