/**
 * recurrent: recurrent neural networks for TypeScript with PyTorch semantics.
 *
 * @example
 * import { nn, randn, manualSeed } from "recurrent";
 * manualSeed(0);
 * const lstm = new nn.LSTM({ inputSize: 8, hiddenSize: 16, batchFirst: true });
 * const [out, [hN, cN]] = lstm.forward(randn([4, 10, 8]));
 */
export { Tensor, type DType, type NestedArray } from "./tensor/tensor.js";
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  rand,
  randn,
  randint,
  randLike,
  randnLike,
  randperm,
  type TensorOptions,
  type FromDataOptions,
  type RandomOptions,
} from "./tensor/creation.js";
export {
  Generator,
  manualSeed,
  getRngState,
  setRngState,
  type GeneratorState,
} from "./tensor/random.js";
export { noGrad, enableGrad, isGradEnabled } from "./autograd/tape.js";
export { gradcheck, type GradcheckOptions } from "./autograd/gradcheck.js";
export {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  neg,
  exp,
  log,
  tanh,
  sigmoid,
  relu,
  sqrt,
  abs,
  sin,
  cos,
  clamp,
  eq,
  ne,
  gt,
  lt,
  ge,
  le,
  where,
  maskedFill,
  sum,
  mean,
  max,
  min,
  argmax,
  argmin,
  softmax,
  logSoftmax,
  logsumexp,
  matmul,
  bmm,
  reshape,
  flatten,
  permute,
  transpose,
  squeeze,
  unsqueeze,
  expand,
  repeat,
  narrow,
  slice,
  select,
  chunk,
  split,
  flip,
  cat,
  stack,
  clone,
  indexSelect,
  gather,
} from "./ops/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as utils from "./utils/index.js";
export * as io from "./io/index.js";
export * as data from "./data/index.js";
export * as metrics from "./metrics/index.js";
export * as seq2seq from "./tasks/seq2seq/index.js";
export * as classifier from "./tasks/classifier/index.js";
export * as languageModel from "./tasks/language-model/index.js";
export * as tasks from "./tasks/common/index.js";
export { setBackend, backendName, wasmSupported, type BackendName } from "./backend/registry.js";
