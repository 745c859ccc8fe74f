/**
 * Bad input to library calls — tensors, ops, nn layers, losses, optimizers, utils, data and the
 * recipes: each must fail with a plain Error naming what was expected and what came
 * (bad-input-table.ts).
 *
 * @example
 * node scripts/run-tests.mjs test/reliability/bad-inputs-library.test.ts
 */
import {
  add,
  cat,
  data,
  languageModel,
  matmul,
  nn,
  optim,
  randint,
  randn,
  softmax,
  tensor,
  utils,
  zeros,
} from "../../src/index.js";
import { Trainer } from "../../src/tasks/common/trainer.js";
import { createOptimizer, createScheduler } from "../../src/tasks/common/optimizer.js";
import { sampleToken } from "../../src/tasks/sampling.js";
import { badInputs } from "./bad-input-table.js";

const { Vocab, BpttIterator, DataLoader, getTokenizer, randomSplit } = data;
const lstm = () => new nn.LSTM({ inputSize: 4, hiddenSize: 3 });
const ids = (xs: number[]) => tensor(xs, { dtype: "int32" });
const lmConfig = {
  vocabSize: 10,
  cell: "lstm" as const,
  embeddingSize: 4,
  hiddenSize: 8,
  numLayers: 1,
  dropout: 0,
};

badInputs("tensors and ops", [
  {
    name: "flat data that does not fill the shape",
    run: () => tensor([1, 2], { shape: [3] }),
    error: /^tensor: 2 values cannot have shape \[3\]$/,
  },
  {
    name: "ragged nested array",
    run: () => tensor([[1, 2], [3]]),
    error: /^tensor: ragged nested array at data\[1\]: expected 2 elements, got 1$/,
  },
  {
    name: "a string as data",
    run: () => tensor("abc" as never),
    error: /^tensor: expected numbers, got string at data$/,
  },
  {
    name: "a negative dimension",
    run: () => zeros([-1]),
    error: /^full: expected a shape of non-negative integers, got \[-1\]$/,
  },
  {
    name: "a fractional dimension",
    run: () => zeros([2.5]),
    error: /^full: expected a shape of non-negative integers, got \[2\.5\]$/,
  },
  {
    name: "reshape to another size",
    run: () => randn([2, 3]).reshape([4]),
    error: /^reshape: shape \[4\] is invalid for input of shape \[2, 3\] \(6 elements\)$/,
  },
  {
    name: "matmul of mismatched inner sizes",
    run: () => matmul(randn([2, 3]), randn([4, 5])),
    error: /^matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(3 ≠ 4\)$/,
  },
  {
    name: "add of shapes that do not broadcast",
    run: () => add(randn([2, 3]), randn([4])),
    error:
      /^add: shapes \[2, 3\] and \[4\] cannot be broadcast together \(dimension 1 of the result: 3 vs 4\)$/,
  },
  {
    name: "item() of a 2-element tensor",
    run: () => randn([2]).item(),
    error: /^item: expected a tensor with one element, got shape \[2\]$/,
  },
  {
    name: "select beyond the dimensions",
    run: () => randn([2, 3]).select(2, 0),
    error: /^select: dim 2 is out of range for a tensor of rank 2 \(expected -2\.\.1\)$/,
  },
  {
    name: "permute repeating a dimension",
    run: () => randn([2, 3]).permute([0, 0]),
    error: /^permute: dims \[0, 0\] repeat a dimension$/,
  },
  {
    name: "cat of mismatched shapes",
    run: () => cat([randn([2, 3]), randn([2, 4])], 0),
    error:
      /^cat: tensors\[1\] has shape \[2, 4\] \(float32\); expected float32 with the shape of tensors\[0\] \[2, 3\] except in dim 0$/,
  },
  {
    name: "softmax over a missing dim",
    run: () => softmax(randn([2, 3]), 5),
    error: /^softmax: dim 5 is out of range for a tensor of rank 2 \(expected -2\.\.1\)$/,
  },
  {
    name: "randint with low ≥ high",
    run: () => randint(5, 2, [3]),
    error: /^randint: expected low < high, got low=5, high=2$/,
  },
  {
    name: "backward of a non-scalar",
    run: () => randn([3], { requiresGrad: true }).mul(2).backward(),
    error:
      /^backward: grad can be implicitly created only for one-element outputs, got shape \[3\]; pass a gradient of the same shape$/,
  },
  {
    name: "indexSelect with an index out of range",
    run: () => randn([3, 2]).indexSelect(0, ids([5])),
    error:
      /^indexSelect: index 5 is out of range for a dimension of size 3 \(at flat position 0\)$/,
  },
]);

badInputs("nn layers", [
  {
    name: "Linear with -1 inputs",
    run: () => new nn.Linear(-1, 3),
    error: /^Linear: inFeatures must be a non-negative integer, got -1$/,
  },
  {
    name: "Linear with 2.5 outputs",
    run: () => new nn.Linear(3, 2.5),
    error: /^Linear: outFeatures must be a non-negative integer, got 2\.5$/,
  },
  {
    name: "Linear fed the wrong feature size",
    run: () => new nn.Linear(3, 2).forward(randn([4, 5])),
    error: /^Linear: expected input with last dimension 3 \(in_features\), got \[4, 5\]$/,
  },
  {
    name: "Embedding of -1 rows",
    run: () => new nn.Embedding(-1, 4),
    error: /^Embedding: numEmbeddings must be a non-negative integer, got -1$/,
  },
  {
    name: "Embedding fed floats",
    run: () => new nn.Embedding(10, 4).forward(randn([3])),
    error:
      /^Embedding: expected int32 indices, got float32 of shape \[3\] \(convert with \.int\(\) or create them with dtype: "int32"\)$/,
  },
  {
    name: "Embedding fed an id past its table",
    run: () => new nn.Embedding(10, 4).forward(ids([1, 10])),
    error:
      /^Embedding: index 10 is out of range \[0, 10\) \(num_embeddings=10\) at flat position 1$/,
  },
  {
    name: "Embedding paddingIdx outside the table",
    run: () => new nn.Embedding(10, 4, { paddingIdx: 10 }),
    error:
      /^Embedding: paddingIdx must be an integer within \[-10, 10\) \(num_embeddings\), got 10$/,
  },
  {
    name: "Dropout p = 1.5",
    run: () => new nn.Dropout(1.5),
    error: /^Dropout: probability has to be between 0 and 1, got 1\.5$/,
  },
  {
    name: "Dropout p = -0.1",
    run: () => new nn.Dropout(-0.1),
    error: /^Dropout: probability has to be between 0 and 1, got -0\.1$/,
  },
  {
    name: "LSTM inputSize 0",
    run: () => new nn.LSTM({ inputSize: 0, hiddenSize: 4 }),
    error: /^LSTM: inputSize must be a positive integer, got 0$/,
  },
  {
    name: "LSTM numLayers 0",
    run: () => new nn.LSTM({ inputSize: 4, hiddenSize: 4, numLayers: 0 }),
    error: /^LSTM: numLayers must be a positive integer, got 0$/,
  },
  {
    name: "LSTM dropout 2",
    run: () => new nn.LSTM({ inputSize: 4, hiddenSize: 4, dropout: 2 }),
    error: /^LSTM: dropout should be a number in range \[0, 1\], got 2$/,
  },
  {
    name: "GRU with projSize",
    run: () => new nn.GRU({ inputSize: 4, hiddenSize: 4, projSize: 2 } as never),
    error: /^GRU: projSize is only supported for LSTM, not RNN or GRU$/,
  },
  {
    name: "LSTM projSize ≥ hiddenSize",
    run: () => new nn.LSTM({ inputSize: 4, hiddenSize: 4, projSize: 4 }),
    error: /^LSTM: projSize has to be smaller than hiddenSize, got projSize 4 and hiddenSize 4$/,
  },
  {
    name: "RNN nonlinearity gelu",
    run: () => new nn.RNN({ inputSize: 4, hiddenSize: 4, nonlinearity: "gelu" as never }),
    error: /^RNN: unknown nonlinearity 'gelu'; select from 'tanh' or 'relu'$/,
  },
  {
    name: "LSTM fed the wrong feature size",
    run: () => lstm().forward(randn([5, 2, 6])),
    error: /^LSTM: expected input of size 4 in the last dimension, got \[5, 2, 6\]$/,
  },
  {
    name: "LSTM fed a 4-D tensor",
    run: () => lstm().forward(randn([5, 2, 4, 1])),
    error: /^LSTM: expected input of rank 2 \(unbatched\) or 3, got \[5, 2, 4, 1\]$/,
  },
  {
    name: "LSTM with a wrong h0",
    run: () => lstm().forward(randn([5, 2, 4]), [zeros([1, 3, 3]), zeros([1, 2, 3])]),
    error: /^LSTM: expected hx of shape \[1, 2, 3\], got \[1, 3, 3\]$/,
  },
  {
    name: "LSTM fed a non-tensor",
    run: () => lstm().forward([1, 2, 3] as never),
    error: /^LSTM: expected input to be a Tensor$/,
  },
  {
    name: "LSTMCell fed the wrong feature size",
    run: () => new nn.LSTMCell({ inputSize: 4, hiddenSize: 3 }).forward(randn([2, 5])),
    error: /^LSTMCell: expected input of size 4 in the last dimension, got \[2, 5\]$/,
  },
  {
    name: "GRUCell hiddenSize -1",
    run: () => new nn.GRUCell({ inputSize: 4, hiddenSize: -1 }),
    error: /^GRUCell: hiddenSize must be a positive integer, got -1$/,
  },
  {
    name: "an unknown attention kind",
    run: () => nn.createAttention("foo" as never, { queryDim: 4 }),
    error: /^createAttention: kind must be "bahdanau", "luong-dot" or "luong-general", got foo$/,
  },
  {
    name: "Luong dot attention with different sizes",
    run: () => new nn.LuongAttention({ method: "dot", queryDim: 4, keyDim: 6 }),
    error:
      /^LuongAttention: method "dot" needs keyDim == queryDim, got keyDim 6 and queryDim 4 \(use "general"\)$/,
  },
  {
    name: "attention keys of the wrong size",
    run: () => nn.createAttention("bahdanau", { queryDim: 4 }).prepare(randn([2, 3, 5])),
    error: /^BahdanauAttention: expected keys \[B, S, 4\] \(keyDim 4, S ≥ 1\), got \[2, 3, 5\]$/,
  },
  {
    name: "attention mask with an empty row",
    run: () =>
      nn.createAttention("bahdanau", { queryDim: 4 }).prepare(
        randn([2, 3, 4]),
        tensor([
          [1, 1, 0],
          [0, 0, 0],
        ]),
      ),
    error:
      /^BahdanauAttention: mask row 1 has no valid position; attention over no key is undefined$/,
  },
  {
    name: "attention query of the wrong size",
    run: () => {
      const a = nn.createAttention("luong-general", { queryDim: 4 });
      return a.attend(randn([2, 5]), a.prepare(randn([2, 3, 4])));
    },
    error: /^LuongAttention: expected query \[2, 4\] \(keys' batch 2, queryDim 4\), got \[2, 5\]$/,
  },
]);

badInputs("losses, optimizers, utils", [
  {
    name: "crossEntropy with a class past the logits",
    run: () => nn.functional.crossEntropy(randn([2, 3]), ids([0, 3])),
    error:
      /^crossEntropy: target 3 is out of bounds for 3 classes \(expected 0 ≤ target < 3, or ignoreIndex -100\) at flat position 1$/,
  },
  {
    name: "crossEntropy with a batch mismatch",
    run: () => nn.functional.crossEntropy(randn([2, 3]), ids([0, 1, 2])),
    error: /^crossEntropy: expected target of shape \[2\] for input of shape \[2, 3\], got \[3\]$/,
  },
  {
    name: "mseLoss of different shapes",
    run: () => nn.functional.mseLoss(randn([2, 3]), randn([3, 2])),
    error: /^mseLoss: expected target of the input's shape \[2, 3\], got \[3, 2\]$/,
  },
  {
    name: "Adam with a negative lr",
    run: () => new optim.Adam(lstm().parameters(), { lr: -1 }),
    error: /^Adam: Invalid learning rate: -1$/,
  },
  {
    name: "SGD over no parameters",
    run: () => new optim.SGD([], { lr: 0.1 }),
    error: /^SGD: optimizer got an empty parameter list$/,
  },
  {
    name: "Adam with betas outside [0, 1)",
    run: () => new optim.Adam(lstm().parameters(), { betas: [1.5, 0.9] }),
    error: /^Adam: Invalid beta parameter at index 0: 1\.5$/,
  },
  {
    name: "StepLR with stepSize 0",
    run: () =>
      new optim.lrScheduler.StepLR(new optim.SGD(lstm().parameters(), { lr: 1 }), { stepSize: 0 }),
    error: /^StepLR: expected stepSize to be a positive integer, got 0$/,
  },
  {
    name: "packPaddedSequence with a length past T",
    run: () => utils.rnn.packPaddedSequence(randn([3, 2, 4]), [4, 2]),
    error: /^packPaddedSequence: lengths\[0\] = 4 exceeds the 3 time steps of input \[3, 2, 4\]$/,
  },
  {
    name: "packPaddedSequence with unsorted lengths and enforceSorted",
    run: () => utils.rnn.packPaddedSequence(randn([3, 2, 4]), [2, 3]),
    error:
      /^packPaddedSequence: lengths must be sorted in decreasing order when enforceSorted is true, got \[2, 3\]; pass \{ enforceSorted: false \} to sort them internally$/,
  },
  {
    name: "packPaddedSequence with a zero length",
    run: () => utils.rnn.packPaddedSequence(randn([3, 2, 4]), [3, 0]),
    error:
      /^packPaddedSequence: length of all samples has to be greater than 0, but found lengths\[1\] = 0$/,
  },
  {
    name: "packPaddedSequence with lengths for another batch",
    run: () => utils.rnn.packPaddedSequence(randn([3, 2, 4]), [3, 2, 1]),
    error:
      /^packPaddedSequence: expected as many lengths as the batch size 2 of input \[3, 2, 4\], got 3$/,
  },
  {
    name: "padSequence of nothing",
    run: () => utils.rnn.padSequence([]),
    error: /^padSequence: expected a non-empty array of tensors \[L, \*\]$/,
  },
]);

badInputs("data", [
  {
    name: "Vocab with a duplicate token",
    run: () => new Vocab(["a", "b", "a"]),
    error: /^Vocab: token "a" appears twice, at indices 0 and 2$/,
  },
  {
    name: "Vocab.build with maxSize ≤ specials",
    run: () => Vocab.build([["a"]], { maxSize: 4 }),
    error:
      /^Vocab\.build: maxSize counts the specials and must be an integer > 4 \(the number of specials\), got 4$/,
  },
  {
    name: "Vocab.decode of an id out of range",
    run: () => new Vocab(["<unk>", "a"]).decode([0, 5]),
    error: /^Vocab\.decode: id 5 at position 1 is out of range \[0, 2\)$/,
  },
  {
    name: "Vocab.encode of a string",
    run: () => new Vocab(["<unk>", "a"]).encode("a" as never),
    error: /^Vocab\.encode: expected an array of tokens, got a string; tokenize it first$/,
  },
  {
    name: "BpttIterator with bpttLen 0",
    run: () => new BpttIterator([1, 2, 3], { batchSize: 1, bpttLen: 0 }),
    error: /^BpttIterator: expected bpttLen to be a positive integer, got 0$/,
  },
  {
    name: "BpttIterator over a fractional token id",
    run: () => new BpttIterator([1, 2.5], { batchSize: 1, bpttLen: 2 }),
    error: /^BpttIterator: expected integer token ids, got 2\.5 at position 1$/,
  },
  {
    name: "an unknown tokenizer",
    run: () => getTokenizer("spacy" as never),
    error:
      /^getTokenizer: expected one of "basic_english", "char", "whitespace", a function or null, got "spacy"$/,
  },
  {
    name: "DataLoader with batchSize 0",
    run: () => new DataLoader([1, 2, 3], { batchSize: 0 }),
    error: /^BatchSampler: expected batchSize to be a positive integer, got 0$/,
  },
  {
    name: "randomSplit into lengths that do not add up",
    run: () => randomSplit([1, 2, 3], [2, 2]),
    error:
      /^randomSplit: sum of input lengths \(4\) does not equal the length of the dataset \(3\)$/,
  },
]);

badInputs("recipes", [
  {
    name: "prepareLmData of a 1-character text",
    run: () => languageModel.prepareLmData("a", { level: "char" }),
    error: /^prepareLmData: the text has 1 tokens, too few to train on$/,
  },
  {
    name: "prepareLmData with validFraction 0.7",
    run: () => languageModel.prepareLmData("abcdef", { level: "char", validFraction: 0.7 }),
    error: /^prepareLmData: expected validFraction in \[0, 0\.5\), got 0\.7$/,
  },
  {
    name: "prepareLmData at level byte",
    run: () => languageModel.prepareLmData("abcdef", { level: "byte" as never }),
    error: /^prepareLmData: expected level "char" or "word", got byte$/,
  },
  {
    name: "an unknown optimizer name",
    run: () => createOptimizer(lstm().parameters(), { name: "lion" as never, lr: 1 }),
    error: /^createOptimizer: expected one of adam, adamw, sgd, rmsprop, adagrad, got lion$/,
  },
  {
    name: "an unknown schedule",
    run: () =>
      createScheduler(new optim.SGD(lstm().parameters(), { lr: 1 }), { kind: "cosine" as never }),
    error: /^createScheduler: expected one of none, exponential, step, plateau, got cosine$/,
  },
  {
    name: "RNNLanguageModel with vocabSize 0",
    run: () => new languageModel.RNNLanguageModel({ ...lmConfig, vocabSize: 0 }),
    error: /^RNNLanguageModel: expected vocabSize to be a positive integer, got 0$/,
  },
  {
    name: "RNNLanguageModel tying different sizes",
    run: () => new languageModel.RNNLanguageModel({ ...lmConfig, tieWeights: true }),
    error: /^RNNLanguageModel: tieWeights needs hiddenSize == embeddingSize, got 8 and 4$/,
  },
  {
    name: "LanguageModelTask with a batch larger than the data",
    run: () =>
      new languageModel.LanguageModelTask(
        new languageModel.RNNLanguageModel(lmConfig),
        Int32Array.from([1, 2, 3]),
        null,
        { batchSize: 8, bpttLen: 4 },
      ),
    error:
      /^LanguageModelTask: 3 training tokens make no window of batch 8; use a smaller batch size$/,
  },
  {
    name: "Trainer with 0 epochs",
    run: () =>
      new Trainer(
        {
          model: lstm(),
          batchesPerEpoch: () => 0,
          batches: () => [],
          trainStep: () => ({}) as never,
        },
        { optimizer: new optim.SGD(lstm().parameters(), { lr: 1 }), epochs: 0 },
      ),
    error: /^Trainer: expected epochs to be a positive integer, got 0$/,
  },
  {
    name: "sampling with topP 2",
    run: () => sampleToken([0, 1], { topP: 2 }),
    error: /^sampling: expected topP in \(0, 1\], got 2$/,
  },
  {
    name: "sampling with a negative temperature",
    run: () => sampleToken([0, 1], { temperature: -1 }),
    error: /^sampling: expected temperature >= 0, got -1$/,
  },
]);
