/**
 * ONNX export (opset 17) of the models whose computation ONNX's operators express without loops:
 *
 *   RNNLanguageModel   input_ids int64 [T, B] (batchFirst: [B, T]), lengths int64 [B]
 *                      → logits [T, B, V] (0 past each length), h_n (c_n) [L, B, H]
 *                      Gather → LSTM/GRU/RNN per layer → MatMul + Add
 *   RNNClassifier      input_ids int64 [B, T] (batchFirst false: [T, B]), lengths int64 [B]
 *                      → logits [B, C], attention [B, T] (attention pooling)
 *                      pooling last (Y_h), mean (ReduceSum / lengths), max (Where −∞, ReduceMax),
 *                      attention (scores Σ y·h, Softmax over valid steps, Σ a·y)
 *   nn.RNN/LSTM/GRU    input float [T, B, I] (the module's batchFirst: [B, T, I]), lengths
 *                      → output [T, B, D·H] (0 past each length), h_n (c_n) [L·D, B, H]
 *
 * Recurrent layers become ONNX's RNN/LSTM/GRU nodes with `sequence_lens` (onnx/recurrent.ts), so
 * variable-length batches behave as PackedSequences do: nothing past a length is read, outputs
 * there are zero. Dimensions T and B are symbolic. The graph is inference only (no dropout).
 * `state: true` adds h_0 (c_0) inputs, for step-by-step generation; `lengths: false` drops the
 * lengths input (every sequence full length). A Seq2Seq decoder needs a loop and is not exported.
 *
 * @example
 * const bytes = await exportOnnx(model);                   // Uint8Array of an .onnx file
 * const session = await ort.InferenceSession.create(bytes);
 */
import { Module } from "../../nn/module.js";
import { RNNBase } from "../../nn/rnn/base.js";
import { LSTM } from "../../nn/rnn/layers.js";
import { RNNClassifier } from "../../tasks/classifier/model.js";
import { RNNLanguageModel } from "../../tasks/language-model/model.js";
import type { Tensor } from "../../tensor/tensor.js";
import { GraphBuilder } from "./graph.js";
import { encodeModel } from "./proto.js";
import { emitRecurrent, type RecurrentInitial } from "./recurrent.js";

export const ONNX_OPSET = 17;

export interface OnnxExportOptions {
  /** Batch-major inputs and outputs (default: the model's own layout). */
  batchFirst?: boolean;
  /** Take a lengths [B] input (default true; always for a classifier). */
  lengths?: boolean;
  /** Language model and bare layers: take h_0 (and c_0) [L·D, B, H] inputs (default false). */
  state?: boolean;
}

interface Common {
  g: GraphBuilder;
  batchFirst: boolean;
  seqLens: string;
  lengths: string | null;
  T: string;
}

/** input (ids or features) in the caller's layout → time-major, and the shared inputs. */
function begin(
  name: string,
  input: { name: string; type: "int64" | "float32"; dims: (number | string)[] },
  batchFirst: boolean,
  withLengths: boolean,
): Common & { x: string } {
  const g = new GraphBuilder(name);
  const x0 = g.input(input.name, input.type, input.dims);
  const perm = input.dims.length === 2 ? [1, 0] : [1, 0, 2];
  const x = batchFirst ? g.op("Transpose", [x0], { perm }) : x0; // [T, B, …]
  const lengths = withLengths ? g.input("lengths", "int64", ["B"]) : null;
  const seqLens = lengths ? g.op("Cast", [lengths], { to: 6 }) : ""; // int32, as sequence_lens
  const T = g.op("Gather", [g.op("Shape", [x]), g.constant("zero", [0], [])]); // scalar
  return { g, batchFirst, seqLens, lengths, T, x };
}

/** 1 where t < lengths[b], as [T, B] booleans. */
function validSteps(c: Common): string {
  const { g } = c;
  const t = g.op("Range", [g.constant("start", [0], []), c.T, g.constant("delta", [1], [])]);
  const column = g.op("Unsqueeze", [t, g.constant("axis1", [1])]); // [T, 1]
  const row = g.op("Unsqueeze", [c.lengths!, g.constant("axis0", [0])]); // [1, B]
  return g.op("Less", [column, row]);
}

/** x [..., K] · Wᵀ + b for a Linear's weight [N, K]. */
function linear(
  g: GraphBuilder,
  x: string,
  name: string,
  weight: Tensor,
  bias: Tensor | null,
): string {
  const [N, K] = weight.shape;
  const wt = new Float32Array(K * N); // [K, N]
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wt[k * N + n] = weight.data[n * K + k];
  const y = g.op("MatMul", [x, g.weight(`${name}.weight_t`, wt, [K, N])]);
  return bias ? g.op("Add", [y, g.weight(`${name}.bias`, bias)]) : y;
}

function stateInputs(g: GraphBuilder, rnn: RNNBase, H: number): RecurrentInitial {
  const dims = [rnn.numLayers * (rnn.bidirectional ? 2 : 1), "B", H];
  const h = g.input("h_0", "float32", dims);
  return rnn instanceof LSTM ? { h, c: g.input("c_0", "float32", dims) } : { h };
}

function exportLanguageModel(model: RNNLanguageModel, options: OnnxExportOptions): Uint8Array {
  const { vocabSize: V, hiddenSize: H, numLayers: L } = model.config;
  const batchFirst = options.batchFirst ?? false;
  const c = begin(
    "recurrent_lm",
    { name: "input_ids", type: "int64", dims: batchFirst ? ["B", "T"] : ["T", "B"] },
    batchFirst,
    options.lengths ?? true,
  );
  const { g } = c;
  const e = g.op("Gather", [g.weight("encoder.weight", model.encoder.weight), c.x]); // [T, B, E]
  const initial = options.state ? stateInputs(g, model.rnn, H) : undefined;
  const r = emitRecurrent(g, model.rnn, e, c.seqLens, "rnn", initial);
  let logits = linear(g, r.y, "decoder", model.decoder.weight, model.decoder.bias); // [T, B, V]
  if (c.lengths) {
    const mask = g.op("Cast", [g.op("Unsqueeze", [validSteps(c), g.constant("axis2", [2])])], {
      to: 1,
    });
    logits = g.op("Mul", [logits, mask]);
  }
  if (batchFirst) logits = g.op("Transpose", [logits], { perm: [1, 0, 2] });
  g.output(logits, "logits", "float32", batchFirst ? ["B", "T", V] : ["T", "B", V]);
  g.output(r.hN, "h_n", "float32", [L, "B", H]);
  if (r.cN) g.output(r.cN, "c_n", "float32", [L, "B", H]);
  return encodeModel(
    g.model({
      opset: ONNX_OPSET,
      doc: "recurrent RNNLanguageModel: next-token logits (0 past each sequence's length)",
      metadata: { "recurrent.task": "lm", "recurrent.config": JSON.stringify(model.config) },
    }),
  );
}

function exportClassifier(model: RNNClassifier, options: OnnxExportOptions): Uint8Array {
  if (options.lengths === false)
    throw new Error("exportOnnx: a classifier always takes lengths (its pooling reads them)");
  const { numClasses: C, pooling } = model.config;
  const batchFirst = options.batchFirst ?? true;
  const c = begin(
    "recurrent_classifier",
    { name: "input_ids", type: "int64", dims: batchFirst ? ["B", "T"] : ["T", "B"] },
    batchFirst,
    true,
  );
  const { g } = c;
  const e = g.op("Gather", [g.weight("embedding.weight", model.embedding.weight), c.x]); // [T, B, E]
  const r = emitRecurrent(g, model.rnn, e, c.seqLens, "rnn");
  const axes = (name: string, values: number[]) => g.constant(name, values);
  const final = () => {
    const bdh = g.op("Transpose", [r.lastH], { perm: [1, 0, 2] }); // [B, D, H]
    return g.op("Reshape", [bdh, g.constant("shape_b_", [0, -1])]); // [B, D·H]: forward, reverse
  };
  const minusInf = () => g.constant("minus_inf", new Float32Array([-Infinity]), []);
  let pooled: string;
  let attention: string | null = null;
  if (pooling === "last") pooled = final();
  else if (pooling === "mean") {
    const sum = g.op("ReduceSum", [r.y, axes("axes0", [0])], { keepdims: 0 }); // [B, D·H]
    const n = g.op("Unsqueeze", [g.op("Cast", [c.lengths!], { to: 1 }), axes("axes1", [1])]);
    pooled = g.op("Div", [sum, n]);
  } else if (pooling === "max") {
    const valid = g.op("Unsqueeze", [validSteps(c), axes("axes2", [2])]); // [T, B, 1]
    pooled = g.op("ReduceMax", [g.op("Where", [valid, r.y, minusInf()])], {
      axes: [0],
      keepdims: 0,
    });
  } else {
    const q = g.op("Unsqueeze", [final(), axes("axes0", [0])]); // [1, B, D·H]
    const scores = g.op("ReduceSum", [g.op("Mul", [r.y, q]), axes("axes2", [2])], { keepdims: 0 }); // [T, B]
    const a = g.op("Softmax", [g.op("Where", [validSteps(c), scores, minusInf()])], { axis: 0 });
    const weighted = g.op("Mul", [r.y, g.op("Unsqueeze", [a, axes("axes2", [2])])]); // [T, B, D·H]
    pooled = g.op("ReduceSum", [weighted, axes("axes0", [0])], { keepdims: 0 });
    attention = batchFirst ? g.op("Transpose", [a], { perm: [1, 0] }) : a;
  }
  const logits = linear(g, pooled, "fc", model.fc.weight, model.fc.bias); // [B, C]
  g.output(logits, "logits", "float32", ["B", C]);
  if (attention) g.output(attention, "attention", "float32", batchFirst ? ["B", "T"] : ["T", "B"]);
  return encodeModel(
    g.model({
      opset: ONNX_OPSET,
      doc: `recurrent RNNClassifier (${pooling} pooling): class logits`,
      metadata: { "recurrent.task": "classify", "recurrent.config": JSON.stringify(model.config) },
    }),
  );
}

function exportRecurrentLayer(rnn: RNNBase, options: OnnxExportOptions): Uint8Array {
  const batchFirst = options.batchFirst ?? rnn.batchFirst;
  const { inputSize: I, hiddenSize: H } = rnn;
  const LD = rnn.numLayers * (rnn.bidirectional ? 2 : 1);
  const c = begin(
    "recurrent_layer",
    { name: "input", type: "float32", dims: batchFirst ? ["B", "T", I] : ["T", "B", I] },
    batchFirst,
    options.lengths ?? true,
  );
  const { g } = c;
  const initial = options.state ? stateInputs(g, rnn, H) : undefined;
  const r = emitRecurrent(g, rnn, c.x, c.seqLens, "rnn", initial);
  const D = rnn.bidirectional ? 2 : 1;
  const y = batchFirst ? g.op("Transpose", [r.y], { perm: [1, 0, 2] }) : r.y;
  g.output(y, "output", "float32", batchFirst ? ["B", "T", D * H] : ["T", "B", D * H]);
  g.output(r.hN, "h_n", "float32", [LD, "B", H]);
  if (r.cN) g.output(r.cN, "c_n", "float32", [LD, "B", H]);
  return encodeModel(g.model({ opset: ONNX_OPSET, doc: `recurrent ${String(rnn)}` }));
}

/** An .onnx file's bytes for `model` (see the file header for what is exported and how). */
export function exportOnnx(model: Module, options: OnnxExportOptions = {}): Uint8Array {
  if (model instanceof RNNLanguageModel) return exportLanguageModel(model, options);
  if (model instanceof RNNClassifier) {
    if (options.state) throw new Error("exportOnnx: a classifier takes no initial state");
    return exportClassifier(model, options);
  }
  if (model instanceof RNNBase) return exportRecurrentLayer(model, options);
  throw new Error(
    `exportOnnx: cannot export a ${model.constructor.name}: supported are RNNLanguageModel, RNNClassifier and nn.RNN/LSTM/GRU (a Seq2Seq decoder needs a loop, which this exporter does not write)`,
  );
}
