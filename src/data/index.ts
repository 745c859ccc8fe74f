/** Text → tokens → vocab ids → batches: datasets, splits, loaders, collation, bucketing, BPTT. */
export { ArrayDataset, TensorDataset, Subset, asDataset, type Dataset } from "./dataset.js";
export { randomSplit, splitLengths, type RandomSplitOptions } from "./split.js";
export {
  DataLoader,
  SequentialSampler,
  RandomSampler,
  BatchSampler,
  type Sampler,
  type BatchSamplerLike,
  type DataLoaderOptions,
  type RandomSamplerOptions,
} from "./loader.js";
export {
  defaultCollate,
  padTokenIds,
  padCollate,
  fixLengthCollate,
  type Collated,
  type TokenIds,
  type PadOptions,
  type PadCollateOptions,
  type PaddedBatch,
  type PaddedSampleBatch,
  type SequenceSample,
} from "./collate.js";
export { BucketSampler, type BucketSamplerOptions } from "./bucket.js";
export {
  batchify,
  BpttIterator,
  StreamBpttIterator,
  detachState,
  type BpttBatch,
  type BpttOptions,
  type StreamBpttOptions,
  type TokenSource,
  type RecurrentState,
} from "./bptt.js";
export {
  getTokenizer,
  basicEnglishTokenizer,
  charTokenizer,
  whitespaceTokenizer,
  type Tokenizer,
  type TokenizerName,
} from "./tokenizer.js";
export {
  Vocab,
  DEFAULT_SPECIALS,
  type VocabRoles,
  type VocabOptions,
  type VocabBuildOptions,
  type EncodeOptions,
  type DecodeOptions,
  type VocabJSON,
} from "./vocab.js";
export {
  DataFormatError,
  type ParseOptions,
  type Parsed,
  type TextExample,
  type SentencePair,
  type Corpus,
  type LmCorpus,
  type ClassifyCorpus,
  type Seq2SeqCorpus,
} from "./formats/common.js";
export { parseCsv, type CsvRecord, type CsvOptions } from "./formats/csv.js";
export { parseAgNews, AG_NEWS_CLASSES } from "./formats/ag-news.js";
export { parsePairs, type PairsOptions } from "./formats/pairs.js";
export { parsePlainText, decodeUtf8, type DecodedText } from "./formats/plain-text.js";
export { parseCmudict, parseBrownTagged, emailText, splitPassages } from "./formats/corpora.js";
