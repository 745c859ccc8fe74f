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
export {
  loadDataset,
  listDatasets,
  parseDatasetName,
  type LoadDatasetOptions,
  type DatasetInfo,
} from "./datasets.js";
export {
  readTextFiles,
  readAgNews,
  readImdb,
  readPairs,
  IMDB_CLASSES,
  type ReaderOptions,
  type ImdbOptions,
  type PairsReaderOptions,
} from "./readers.js";
export {
  loadMobyDick,
  loadSotu,
  loadSpamAssassin,
  loadCmudict,
  loadBrown,
  SOTU_PARTIES,
  SOTU_ERAS,
  SPAM_CLASSES,
  type PackagedOptions,
} from "./packaged.js";
