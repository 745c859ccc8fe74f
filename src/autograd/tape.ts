/**
 * The tape: every differentiable result points at the Node that made it; `backward` walks the
 * nodes in reverse topological order and hands each its outputs' gradients. The rules themselves
 * live in derivatives.ts, one per primitive.
 */
import { accumulateGrad, accumulateRows } from "../tensor/sparse.js";
import type { Tensor } from "../tensor/tensor.js";

export type Grads = (Tensor | null)[];

export class Node {
  /** Saved tensors are dropped after backward (unless retainGraph) to free memory. */
  private released = false;

  constructor(
    /** The primitive's name, e.g. "mul" or "lstmLayer" (PyTorch's `grad_fn` name). */
    readonly name: string,
    readonly inputs: readonly Tensor[],
    readonly numOutputs: number,
    private saved: unknown,
    private readonly rule: (grads: Grads, saved: never, inputs: readonly Tensor[]) => Grads,
  ) {}

  apply(grads: Grads): Grads {
    if (this.released) {
      throw new Error(
        `backward: trying to go through the graph a second time (at ${this.name}); ` +
          `pass { retainGraph: true } to the first backward() if you need to`,
      );
    }
    return this.rule(grads, this.saved as never, this.inputs);
  }

  /** Drops what the forward saved; a saved object with a `release` method (backend scratch a
   * fused op kept for its backward) is told, so that memory is handed back at once. */
  release(): void {
    const saved = this.saved as { release?: () => void } | undefined;
    this.released = true;
    this.saved = undefined;
    saved?.release?.();
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/**
 * Gradients a rule allocated itself and returns for one input only: the first one to reach a leaf
 * becomes its `grad` as it is, instead of a copy (a copy of a 95 812 × 64 embedding gradient costs
 * as much as the optimizer step).
 */
const fresh = new WeakSet<Tensor>();

/** Marks `t` as a gradient no other tensor shares storage with (see `fresh`); returns it. */
export function freshGrad(t: Tensor): Tensor {
  fresh.add(t);
  return t;
}

/** Row-sparse gradients that stand for dense ones (see `denseAsRows`). */
const denseRows = new WeakSet<Tensor>();

/**
 * Marks a coalesced row-sparse gradient as the rows of a dense one: a leaf holds it as such
 * (Tensor.heldGrad) and shows it dense when read; a non-leaf gets it dense. Returns it.
 */
export function denseAsRows(t: Tensor): Tensor {
  denseRows.add(t);
  return t;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording anything on the tape (like `with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` with recording on, e.g. inside a noGrad block. */
export function enableGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Nodes reachable from `root`, ordered so that every node comes after all its consumers. */
function reverseTopologicalOrder(root: Node): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>([root]);
  // Iterative post-order DFS: recurrent graphs can be thousands of nodes deep.
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, next] = top;
    if (next < node.inputs.length) {
      top[1]++;
      const child = node.inputs[next].gradFn;
      if (child && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

/** Tensor arithmetic the tape needs, passed in so that autograd/ does not import ops/. */
export interface BackwardHooks {
  /** A new tensor a + b. */
  sum(a: Tensor, b: Tensor): Tensor;
  /** dst += src in place. */
  accumulate(dst: Tensor, src: Tensor): void;
  clone(a: Tensor): Tensor;
}

export function runBackward(
  root: Tensor,
  grad: Tensor,
  retainGraph: boolean,
  hooks: BackwardHooks,
): void {
  const accumulateLeaf = (leaf: Tensor, g: Tensor, owned = false) => {
    if (denseRows.has(g)) {
      accumulateRows(leaf, g, owned);
      return;
    }
    // Row-sparse gradients (nn.Embedding({ sparse: true })) stay sparse in a leaf's grad.
    if (g.isSparse || leaf.grad?.isSparse) {
      leaf.grad = accumulateGrad(leaf.grad, g);
      return;
    }
    // The first gradient is copied, unless the rule that made it owns it alone: rules may hand
    // the same tensor to several inputs, or pass their incoming gradient through.
    if (leaf.grad === null) leaf.grad = owned && fresh.delete(g) ? g : hooks.clone(g);
    else hooks.accumulate(leaf.grad, g);
  };
  if (root.gradFn === null) {
    accumulateLeaf(root, grad);
    return;
  }
  const pending = new Map<Node, Grads>();
  const rootGrads: Grads = new Array(root.gradFn.numOutputs).fill(null);
  rootGrads[root.outputIndex] = grad;
  pending.set(root.gradFn, rootGrads);
  noGrad(() => {
    for (const node of reverseTopologicalOrder(root.gradFn!)) {
      const outGrads = pending.get(node);
      pending.delete(node);
      if (!outGrads) continue;
      const inGrads = node.apply(outGrads);
      if (!retainGraph) node.release();
      node.inputs.forEach((input, i) => {
        let g = inGrads[i];
        if (!g || !input.requiresGrad) return;
        checkGradShape(node, i, input, g);
        if (input.gradFn === null) {
          const shared = outGrads.includes(g) || inGrads.indexOf(g) !== inGrads.lastIndexOf(g);
          accumulateLeaf(input, g, !shared);
          return;
        }
        // A sparse gradient flowing on into a non-leaf is made dense (the ops there are dense).
        if (g.isSparse) g = g.toDense();
        let slots = pending.get(input.gradFn);
        if (!slots) {
          slots = new Array(input.gradFn.numOutputs).fill(null);
          pending.set(input.gradFn, slots);
        }
        const prev = slots[input.outputIndex];
        slots[input.outputIndex] = prev ? hooks.sum(prev, g) : g;
      });
    }
  });
}

function checkGradShape(node: Node, i: number, input: Tensor, g: Tensor): void {
  const a = input.shape;
  const b = g.shape;
  if (a.length !== b.length || a.some((s, k) => s !== b[k])) {
    throw new Error(
      `internal error: the backward rule of ${node.name} returned a gradient of shape ` +
        `[${b.join(", ")}] for input ${i} of shape [${a.join(", ")}]`,
    );
  }
}
