/** Every op, differentiable or not. Tensor methods and the public API both come through here. */
export * from "./elementwise.js";
export * from "./indexing.js";
export * from "./linalg.js";
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from "./loss.js";
export * from "./movement.js";
export * from "./reduction.js";
export {
  recurrentLayer,
  type RecurrentLayerInput,
  type RecurrentLayerOutput,
  type RecurrentMode,
} from "./recurrent.js";
export * from "../tensor/creation.js";
