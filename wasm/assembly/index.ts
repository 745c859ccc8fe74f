/**
 * Entry point of the WebAssembly SIMD kernels (AssemblyScript). Built twice by
 * scripts/build-wasm.mjs: baseline SIMD, and relaxed SIMD (fused multiply-add in the GEMM tiles).
 * The memory is imported (`env.memory`, declared shared so worker threads can run the same
 * kernels on it; src/backend/wasm/module.ts clears the shared flag where threads are unavailable).
 * Every pointer argument is a byte address in that memory; src/backend/wasm/ owns the allocation.
 * The module has no static data and no mutable globals, so instances on several threads never
 * race on anything but the operands they are handed.
 */
export { gemm, gemmPacked, gemmNT, gemv, packB, packedSize } from "./gemm";
export {
  lstmGatesForward,
  lstmGatesBackward,
  gruGatesForward,
  gruGatesBackward,
  rnnGatesForward,
  rnnGatesBackward,
} from "./gates";
export { addRowVector, sumRows } from "./rows";
export { unary, unaryBackward, binary, clamp } from "./elementwise";
export { softmaxForward, softmaxBackward } from "./softmax";
export { adam, adamRows, sgd, rmsprop, adagrad } from "./optim";
export { gatherRows, scatterAddRows } from "./indexing";
export { crossEntropyForward, crossEntropyBackward } from "./loss";

/** First byte after the module's static data: the JS-side allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
