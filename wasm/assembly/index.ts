/**
 * Entry point of the WebAssembly SIMD kernels (AssemblyScript, baseline SIMD only). Every pointer
 * argument is a byte address in this module's memory; src/backend/wasm/ owns the allocation.
 * Build: npm run build:wasm (writes src/backend/wasm/kernels.generated.ts).
 */
export { gemmNN, gemmNT, gemv, transpose } from "./gemm";
export {
  lstmGatesForward,
  lstmGatesBackward,
  gruGatesForward,
  gruGatesBackward,
  rnnGatesForward,
  rnnGatesBackward,
} from "./gates";
export { addRowVector, sumRows } from "./rows";

/** First byte after the module's static data: the JS-side allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
