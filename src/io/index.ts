/**
 * Reading and writing weights, browser-safe (bytes in, bytes out): safetensors, ONNX export.
 * File helpers: `recurrent/node`.
 */
import type { Module } from "../nn/module.js";
import type { OnnxExportOptions } from "./onnx/export.js";

export {
  loadSafetensors,
  saveSafetensors,
  MAX_HEADER_BYTES,
  type SafetensorsContents,
  type LoadSafetensorsOptions,
} from "./safetensors.js";

/**
 * ONNX export of a language model, a classifier or an RNN/LSTM/GRU layer (io/onnx/export.ts).
 * Asynchronous because the protobuf encoder is loaded on first use, so bundles that never export
 * do not carry it.
 */
export async function exportOnnx(model: Module, options?: OnnxExportOptions): Promise<Uint8Array> {
  return (await import("./onnx/export.js")).exportOnnx(model, options);
}
export type { OnnxExportOptions } from "./onnx/export.js";
