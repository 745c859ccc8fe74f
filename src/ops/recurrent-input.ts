/**
 * The input side of a fused recurrent layer (ops/recurrent.ts): the projection of every time
 * step's input at once, and its gradients.
 *
 *   G = X·Wihᵀ + bih (+ bhh but for GRU)   [N, G·H] = [N, I]·[I, G·H]
 *   dX = dG·Wih,  dWih = dGᵀ·X             [N, I], [G·H, I]
 *
 * When X is rows of a small table T [V, I] (an embedding lookup, 2V ≤ N; ops/row-source.ts) the
 * same quantities come from V rows instead of N:
 *
 *   G = (T·Wihᵀ + b)[index],   S = scatter-add of dG rows by index [V, G·H]
 *   dWih = Sᵀ·T,               dT = S·Wih (the padding row zeroed), instead of dX
 *
 * The forward is bit-identical to the direct one (a GEMM sums every row alike, and the bias is
 * added to each row once); the gradients differ by float32 rounding (tokens of one symbol are
 * summed first). dT goes to the table only when x's tape path is exactly the lookup; otherwise
 * dX is computed as usual (when x needs it).
 */
import type { Backend, F32 } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { rowSource, rowsMatch } from "./row-source.js";
import { f32 } from "./util.js";
import type { Workspace } from "./workspace.js";

/** The table the input's rows came from, as the forward used it. */
export interface ProjectedRows {
  /** The table tensor: the node's first input when `toTable`. */
  table: Tensor;
  /** A scratch copy of its values [V, I] at the forward. */
  values: F32;
  index: Int32Array;
  paddingIdx: number | null;
  /** Gradients go to the table instead of x. */
  toTable: boolean;
}

/**
 * Writes G [N, G·H] into `gates` (all rows); returns the row table when it was used. Biases:
 * bih, and bhh too when `withBhh` (GRU keeps bhh inside its hidden projection).
 */
export function projectInput(
  be: Backend,
  ws: Workspace,
  x: Tensor,
  wIh: Tensor,
  bIh: Tensor | null,
  bHh: Tensor | null,
  withBhh: boolean,
  gates: F32,
): ProjectedRows | null {
  const [N, I] = x.shape;
  const GH = wIh.shape[0];
  const src = rowSource(x);
  const V = src ? src.table.shape[0] : 0;
  const useRows =
    src !== undefined &&
    2 * V <= N &&
    src.table.shape[1] === I &&
    rowsMatch(f32(x), f32(src.table), I, src.index);
  const rows = useRows ? V : N;
  const values = useRows ? ws.copy(f32(src.table)) : f32(x);
  const out = useRows ? ws.take(V * GH) : gates;
  be.gemm(false, true, rows, GH, I, 1, values, 0, f32(wIh), 0, 0, out, 0);
  if (bIh) be.addRowVector(out, f32(bIh), rows, GH);
  if (bHh && withBhh) be.addRowVector(out, f32(bHh), rows, GH);
  if (!useRows) return null;
  be.gatherRows(out, GH, src.index, gates);
  return {
    table: src.table,
    values,
    index: src.index,
    paddingIdx: src.paddingIdx,
    toTable: src.onTape && x.requiresGrad && x.gradFn !== null,
  };
}

/**
 * [gradient of the node's first input (dX, or dT when rows.toTable; null when not wanted), dWih]
 * from the input-side gate gradients dG [N, G·H].
 */
export function projectInputBackward(
  be: Backend,
  ws: Workspace,
  x: Tensor,
  wIh: Tensor,
  rows: ProjectedRows | null,
  dG: F32,
  wantFirst: boolean,
): [Tensor | null, Tensor] {
  const [N, I] = x.shape;
  const GH = wIh.shape[0];
  const W = f32(wIh);
  const dWih = new Float32Array(GH * I);
  let first: Tensor | null = null;
  if (rows) {
    const V = rows.table.shape[0];
    const S = ws.zeros(V * GH); // [V, G·H]
    be.scatterAddRows(dG, GH, rows.index, S);
    be.gemm(true, false, GH, I, V, 1, S, 0, rows.values, 0, 0, dWih, 0);
    if (rows.toTable && wantFirst) {
      const dT = new Float32Array(V * I);
      be.gemm(false, false, V, I, GH, 1, S, 0, W, 0, 0, dT, 0);
      const pad = rows.paddingIdx;
      if (pad !== null) dT.fill(0, pad * I, (pad + 1) * I);
      first = new Tensor(dT, rows.table.shape);
    }
  } else {
    be.gemm(true, false, GH, I, N, 1, dG, 0, f32(x), 0, 0, dWih, 0);
  }
  if (wantFirst && !rows?.toTable) {
    const dX = new Float32Array(N * I);
    be.gemm(false, false, N, I, GH, 1, dG, 0, W, 0, 0, dX, 0);
    first = new Tensor(dX, [N, I]);
  }
  return [first, new Tensor(dWih, wIh.shape)];
}
