/**
 * `recurrent/node`: the Node-only half of the library (files, streams, bundled datasets). The main
 * entry stays free of `node:*` imports so it bundles for browsers.
 */
export { writeFileAtomic } from "./atomic.js";
export { loadSafetensorsFile, saveSafetensorsFile } from "./safetensors-file.js";
export {
  textTokenSources,
  streamTextBptt,
  readTextLines,
  type LineTokenizer,
  type TextSourcesOptions,
  type TextTokenSources,
} from "./text-stream.js";
