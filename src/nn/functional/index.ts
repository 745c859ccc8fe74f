/** nn.functional: stateless forms of the layers and losses (torch.nn.functional). */
export { dropout } from "./dropout.js";
export { embedding, type EmbeddingOptions } from "./embedding.js";
export { crossEntropy, type CrossEntropyOptions } from "./cross-entropy.js";
export { nllLoss, type NLLLossOptions } from "./nll-loss.js";
export { binaryCrossEntropyWithLogits, type BCEWithLogitsOptions } from "./binary-cross-entropy.js";
export { mseLoss, type MSELossOptions } from "./mse-loss.js";
export type { Reduction } from "./reduction.js";
export { linear } from "../../ops/linalg.js";
export { softmax, logSoftmax } from "../../ops/reduction.js";
export { relu, tanh, sigmoid } from "../../ops/elementwise.js";
export { maskedCrossEntropy, type MaskedCrossEntropyOptions } from "./sequence-loss.js";
export { oneHot } from "./one-hot.js";
