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
