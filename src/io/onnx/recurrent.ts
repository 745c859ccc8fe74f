/**
 * nn.RNN / LSTM / GRU as ONNX's RNN, LSTM and GRU operators: one node per layer (ONNX has no
 * num_layers), both directions in one node, variable lengths through `sequence_lens`.
 *
 * Weights are PyTorch's, regrouped per node: W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] =
 * [W_b; R_b], direction 0 forward and 1 reverse. The gate blocks are reordered, since ONNX's
 * order differs from PyTorch's:
 *   LSTM  PyTorch i, f, g, o → ONNX i, o, f, c
 *   GRU   PyTorch r, z, n    → ONNX z, r, h, with linear_before_reset = 1 (PyTorch's
 *         n = tanh(W_n x + b_in + r ⊙ (R_n h + b_hn)))
 *   RNN   one block; activations Tanh or Relu
 * Between layers, Y [T, D, B, H] → Transpose → [T, B, D, H] → Reshape → [T, B, D·H].
 *
 * Past each sequence's length ONNX defines Y as zeros, and Y_h as the state at the last valid step
 * (for the reverse direction: after reading the sequence from its last valid step back to the
 * first), exactly what a PackedSequence gives in PyTorch and here.
 *
 * @example
 * const r = emitRecurrent(g, lstm, x, seqLens);   // x [T, B, I] → r.y [T, B, D·H], r.hN [L·D, B, H]
 */
import type { RNNBase } from "../../nn/rnn/base.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { GraphBuilder } from "./graph.js";

/** Source block of each ONNX gate block. */
const GATE_ORDER: Record<RNNBase["mode"], number[]> = {
  lstm: [0, 3, 1, 2],
  gru: [1, 0, 2],
  rnnTanh: [0],
  rnnRelu: [0],
};

const OP: Record<RNNBase["mode"], string> = {
  lstm: "LSTM",
  gru: "GRU",
  rnnTanh: "RNN",
  rnnRelu: "RNN",
};

export interface RecurrentOutputs {
  /** The last layer's outputs [T, B, D·H], zero past each length. */
  y: string;
  /** Final hidden states [L·D, B, H], as PyTorch's h_n. */
  hN: string;
  /** LSTM final cell states [L·D, B, H]. */
  cN: string | null;
  /** The last layer's final hidden states [D, B, H]. */
  lastH: string;
}

export interface RecurrentInitial {
  /** h_0 [L·D, B, H] */
  h: string;
  /** c_0 [L·D, B, H] (LSTM) */
  c?: string;
}

/** Rows of `t` (a [G·H, K] matrix or a [G·H] vector) with the gate blocks in ONNX order. */
function reorder(t: Tensor, order: number[], H: number): Float32Array {
  const cols = t.shape.length === 2 ? t.shape[1] : 1;
  const out = new Float32Array(t.data.length);
  order.forEach((src, dst) =>
    out.set(t.data.subarray(src * H * cols, (src + 1) * H * cols), dst * H * cols),
  );
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Refuses what ONNX's operators cannot express. */
export function checkExportable(rnn: RNNBase, where: string): void {
  if (rnn.projSize > 0)
    throw new Error(
      `${where}: an LSTM with projSize has no ONNX operator (ONNX's LSTM has no projection); export one without projections`,
    );
}

/** Emits the layers of `rnn` over x [T, B, I] (see the file header). */
export function emitRecurrent(
  g: GraphBuilder,
  rnn: RNNBase,
  x: string,
  seqLens: string,
  prefix: string,
  initial?: RecurrentInitial,
): RecurrentOutputs {
  checkExportable(rnn, "exportOnnx");
  const { mode, hiddenSize: H, numLayers: L } = rnn;
  const D = rnn.bidirectional ? 2 : 1;
  const G = GATE_ORDER[mode].length;
  const state = rnn.stateDict();
  const hs: string[] = [];
  const cs: string[] = [];
  let input = x;
  let lastH = "";
  for (let l = 0; l < L; l++) {
    const suffixes = D === 2 ? ["", "_reverse"] : [""];
    const key = (kind: string, s: string) => `${kind}_l${l}${s}`;
    const w = suffixes.map((s) => reorder(state[key("weight_ih", s)], GATE_ORDER[mode], H));
    const r = suffixes.map((s) => reorder(state[key("weight_hh", s)], GATE_ORDER[mode], H));
    const inputSize = state[key("weight_ih", "")].shape[1];
    const W = g.weight(`${prefix}.W_l${l}`, concat(w), [D, G * H, inputSize]);
    const R = g.weight(`${prefix}.R_l${l}`, concat(r), [D, G * H, H]);
    let B = "";
    if (rnn.bias) {
      const b = suffixes.flatMap((s) => [
        reorder(state[key("bias_ih", s)], GATE_ORDER[mode], H),
        reorder(state[key("bias_hh", s)], GATE_ORDER[mode], H),
      ]);
      B = g.weight(`${prefix}.B_l${l}`, concat(b), [D, 2 * G * H]);
    }
    const layerState = (s: string | undefined) => {
      if (!s) return "";
      const range = (v: number) => g.constant(`${prefix}.l${l}_${v}`, [v]);
      return g.op("Slice", [s, range(l * D), range((l + 1) * D), range(0)]); // [D, B, H]
    };
    const attrs: Record<string, number | string | string[]> = {
      hidden_size: H,
      direction: D === 2 ? "bidirectional" : "forward",
    };
    if (mode === "gru") attrs.linear_before_reset = 1;
    if (mode === "rnnTanh" || mode === "rnnRelu")
      attrs.activations = Array(D).fill(mode === "rnnRelu" ? "Relu" : "Tanh");
    const inputs = [input, W, R, B, seqLens, layerState(initial?.h)];
    if (mode === "lstm") inputs.push(layerState(initial?.c));
    const [Y, Yh, Yc] = g.node(OP[mode], inputs, attrs, mode === "lstm" ? 3 : 2); // Y [T, D, B, H]
    hs.push(Yh);
    if (Yc) cs.push(Yc);
    lastH = Yh;
    const tbdh = g.op("Transpose", [Y], { perm: [0, 2, 1, 3] }); // [T, B, D, H]
    input = g.op("Reshape", [tbdh, g.constant(`${prefix}.shape_tb_`, [0, 0, -1])]); // [T, B, D·H]
  }
  const join = (xs: string[]) => (xs.length === 1 ? xs[0] : g.op("Concat", xs, { axis: 0 }));
  return { y: input, hN: join(hs), cN: cs.length > 0 ? join(cs) : null, lastH };
}
