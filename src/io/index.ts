/** Reading and writing weights, browser-safe (bytes in, bytes out). File helpers: `recurrent/node`. */
export {
  loadSafetensors,
  saveSafetensors,
  MAX_HEADER_BYTES,
  type SafetensorsContents,
  type LoadSafetensorsOptions,
} from "./safetensors.js";
