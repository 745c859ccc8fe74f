/**
 * Optimizer: the base of every optimizer, with PyTorch's parameter groups, per-parameter state,
 * `zeroGrad`, `step` and a state dict that resumes a run bit-exactly.
 *
 * A parameter group is `{ params, ...options }`; options a group leaves out come from the
 * optimizer's defaults, so `paramGroups[i].lr` can differ per group (and schedulers change it).
 * `step()` updates every parameter whose `grad` is not null, one in-place kernel call each;
 * parameters without a gradient are skipped and get no state, as in PyTorch.
 *
 * Row-sparse gradients (nn.Embedding({ sparse: true })) go to `updateSparse`. Each optimizer says
 * in `gradError` which gradients it refuses (by default: sparse ones, with PyTorch's message);
 * `step()` asks about every gradient before it changes anything, so a refused step is a no-op.
 * A dense gradient a parameter holds as its rows (a non-sparse embedding's; Tensor.heldGrad) goes
 * to `updateRows` where an optimizer has one (Adam, AdamW), with the dense update's result.
 *
 * State dict format (JSON-friendly apart from the state tensors, like PyTorch's `state_dict()`):
 * `{ state: { [paramIndex]: { exp_avg: Tensor, step: 3, … } }, paramGroups: [{ lr, …, params:
 * [0, 1] }] }`, parameters numbered in group order. State entries keep PyTorch's names
 * (`momentum_buffer`, `exp_avg`, `square_avg`, `sum`, `step`, …); group options keep this
 * library's camelCase names, because they are the options objects users pass.
 *
 * @example
 * const opt = new optim.SGD([
 *   { params: encoder.parameters() },
 *   { params: decoder.parameters(), lr: 1e-3 },
 * ], { lr: 1e-2, momentum: 0.9 });
 * loss.backward();
 * opt.step();
 * opt.zeroGrad();
 */
import { Tensor } from "../tensor/tensor.js";
import { formatShape, sameShape } from "../tensor/shape.js";
import { zeros } from "../tensor/creation.js";

/** Options every optimizer has; a scheduler records the starting `lr` as `initialLr`. */
export interface BaseGroupOptions {
  lr: number;
  initialLr?: number;
}

/** A parameter group as the optimizer holds it: the parameters and every option resolved. */
export type ParamGroup<O extends BaseGroupOptions = BaseGroupOptions> = O & { params: Tensor[] };

/** A parameter group as passed to a constructor: options it leaves out come from the defaults. */
export type ParamGroupInput<O extends BaseGroupOptions = BaseGroupOptions> = Partial<O> & {
  params: Iterable<Tensor>;
};

/** One parameter's state: tensors shaped like the parameter, and counters such as `step`. */
export type ParamState = Record<string, Tensor | number>;

export type OptionValue = number | boolean | string | readonly number[] | null | undefined;

export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Array<{ params: number[] } & Record<string, OptionValue>>;
}

/** Defaults may leave a required option (SGD's lr) undefined: each group must then set it. */
export type Defaults<O> = { [K in keyof O]: O[K] | undefined };

export abstract class Optimizer<O extends BaseGroupOptions = BaseGroupOptions> {
  readonly defaults: Defaults<O>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<O>>, defaults: Defaults<O>) {
    this.defaults = defaults;
    const list = [...params];
    if (list.length === 0) throw new Error(`${this.name}: optimizer got an empty parameter list`);
    const groups: ParamGroupInput<O>[] =
      list[0] instanceof Tensor
        ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>]
        : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** The optimizer's name in error messages. */
  protected get name(): string {
    return this.constructor.name;
  }

  /** Throws PyTorch's message for an invalid option value. */
  protected abstract validate(options: O): void;

  /** Updates one parameter in place from its gradient; `state` is `{}` on its first update. */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<O>, state: ParamState): void;

  /**
   * Why this optimizer cannot apply `grad` with `group`'s options, or null when it can. By default
   * a sparse gradient is refused with PyTorch's message.
   */
  protected gradError(grad: Tensor, _group: ParamGroup<O>): string | null {
    return grad.isSparse ? `${this.name} does not support sparse gradients` : null;
  }

  /** Updates one parameter from a row-sparse gradient, for optimizers whose gradError allows it. */
  protected updateSparse(_p: Tensor, grad: Tensor, group: ParamGroup<O>, _state: ParamState): void {
    throw new Error(`${this.name}: ${this.gradError(grad, group) ?? "no sparse update"}`);
  }

  /**
   * Updates one parameter from a dense gradient held as its rows (Tensor.heldGrad; every other
   * row is 0), with the same result as `update` on the dense gradient. Optional: without it, such
   * a gradient is made dense first.
   */
  protected updateRows?(p: Tensor, rows: Tensor, group: ParamGroup<O>, state: ParamState): void;

  /** Adds a group (e.g. layers unfrozen during fine-tuning), filling its options from the defaults. */
  addParamGroup(input: ParamGroupInput<O>): void {
    if (input === null || typeof input !== "object" || !("params" in input)) {
      throw new Error(`${this.name}: a param group must be an object with a params field`);
    }
    const params = input.params instanceof Tensor ? [input.params] : [...input.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) {
        throw new Error(
          `${this.name}: optimizer can only optimize Tensors, but one of the params is ${typeof p}`,
        );
      }
      if (!p.isLeaf) throw new Error(`${this.name}: can't optimize a non-leaf Tensor`);
      if (p.dtype !== "float32")
        throw new Error(`${this.name}: can only optimize float32 tensors, got ${p.dtype}`);
    }
    const group: Record<string, unknown> = { ...input, params };
    for (const [key, value] of Object.entries(this.defaults)) {
      if (group[key] === undefined) group[key] = Array.isArray(value) ? [...value] : value;
      if (group[key] === undefined) {
        throw new Error(
          `${this.name}: parameter group didn't specify a value of required optimization parameter ${key}`,
        );
      }
    }
    this.validate(group as unknown as O);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) {
      throw new Error(`${this.name}: some parameters appear in more than one parameter group`);
    }
    this.paramGroups.push(group as unknown as ParamGroup<O>);
  }

  /**
   * Clears the gradients of every parameter. With `setToNone` (the default, as in PyTorch 2) the
   * grads become null, so a parameter that gets no gradient next time is skipped by `step()`;
   * with `setToNone: false` they are filled with zeros in place, and a sparse grad becomes an
   * empty one (no rows), as PyTorch's `zero_()` on a sparse tensor.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const held = p.heldGrad();
        if (held === null) continue;
        if (setToNone) p.grad = null;
        else if (held.rows)
          p.setGradRows(emptySparse(p.shape)); // still dense zeros when read
        else if (held.grad.isSparse) p.grad = emptySparse(held.grad.shape);
        else held.grad.data.fill(0);
      }
    }
  }

  /**
   * One optimization step over every parameter that has a gradient. A `closure` that recomputes
   * the loss is called first and its result returned (PyTorch's `step(closure)`).
   */
  step<T>(closure?: () => T): T | undefined {
    const loss = closure?.();
    // A dense gradient held as rows stays so for an optimizer with `updateRows`; else it is made
    // dense here (by reading `grad`).
    const held = (p: Tensor) => {
      const h = p.heldGrad();
      return h?.rows && !this.updateRows ? { grad: p.grad!, rows: false } : h;
    };
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const h = held(p);
        const why = h === null || h.rows ? null : this.gradError(h.grad, group);
        if (why !== null) throw new Error(`${this.name}: ${why}`);
      }
    }
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const h = held(p);
        if (h === null) continue;
        let state = this.state.get(p);
        if (state === undefined) {
          state = {};
          this.state.set(p, state);
        }
        if (h.rows) this.updateRows!(p, h.grad, group, state);
        else if (h.grad.isSparse) this.updateSparse(p, h.grad, group, state);
        else this.update(p, h.grad, group, state);
      }
    }
    return loss;
  }

  /** A snapshot of the state (tensors copied) and group options; see the module comment. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, OptionValue> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key !== "params")
          packed[key] = Array.isArray(value) ? [...value] : (value as OptionValue);
      }
      const params = group.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...packed, params };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = copyState(s);
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()` into this optimizer, built over the same parameters in the same
   * order: group options are replaced by the saved ones and the state is copied in.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(
        `${this.name}: loaded state dict has a different number of parameter groups ` +
          `(${saved.length}, expected ${this.paramGroups.length})`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, gi) => {
      const params = this.paramGroups[gi].params;
      if (g.params.length !== params.length) {
        throw new Error(
          `${this.name}: loaded state dict contains a parameter group that doesn't match the size ` +
            `of optimizer's group (group ${gi}: ${g.params.length} parameters, expected ${params.length})`,
        );
      }
      g.params.forEach((id, k) => byIndex.set(id, params[k]));
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined)
        throw new Error(`${this.name}: loaded state dict has state for unknown parameter ${key}`);
      for (const [name, value] of Object.entries(s)) {
        if (value instanceof Tensor && !sameShape(value.shape, p.shape)) {
          throw new Error(
            `${this.name}: loaded state ${name} of parameter ${key} has shape ${formatShape(value.shape)}, ` +
              `expected ${formatShape(p.shape)}`,
          );
        }
      }
      state.set(p, copyState(s, true));
    }
    saved.forEach((g, gi) => {
      const group = this.paramGroups[gi] as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(g)) {
        if (key !== "params") group[key] = Array.isArray(value) ? [...value] : value;
      }
    });
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }
}

/** Copies a state's tensors: as ordinary arrays, or created like fresh state when `asState`. */
function copyState(s: ParamState, asState = false): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    if (!(v instanceof Tensor)) out[k] = v;
    else if (asState && v.dtype === "float32") {
      const t = zeros(v.shape);
      t.data.set(v.data);
      out[k] = t;
    } else out[k] = new Tensor(v.data.slice(), v.shape);
  }
  return out;
}

function emptySparse(shape: readonly number[]): Tensor {
  return Tensor.rowSparse(new Int32Array(0), new Float32Array(0), shape);
}

/** Zeros (or `value`) shaped like `p`, for optimizer state. */
export function stateLike(p: Tensor, value = 0): Tensor {
  // Created like parameters, so the backend may keep it where its update kernels run.
  const state = zeros(p.shape);
  if (value !== 0) state.data.fill(value);
  return state;
}
