/**
 * The standard workloads W1–W6 (DESIGN.md §4) on recurrent's public API. Each builder takes its
 * shapes as a config (the same object bench/pytorch_bench.py builds its twin from, so both sides
 * run identical shapes and optimizers) and returns a step closure, the units one step counts and
 * the parameter count. A step returns the loss (train steps) or one output value (inference), so a
 * caller can check it is finite.
 *
 * Napkin math at full size (2·m·n·k per GEMM; a train step ≈ 3× its forward):
 *   W1  LSTM 2·640·(64+32)·128 ≈ 16 MFLOP fwd, ≈ 50 MFLOP/step; dense Adam over the 6.1 M
 *       embedding entries (≈ 100 MB of traffic) dominates
 *   W2  2 LSTM layers 2·3200·(128+256 | 256+256)·1024 ≈ 5.9 GFLOP fwd, ≈ 18 GFLOP/step
 *   W3  2 biLSTM layers ≈ 67 MFLOP fwd, ≈ 200 MFLOP/step; Adam over the 2 M-entry embedding
 *   W4  4 GRU layers + Linear(32, 200) ≈ 44 MFLOP fwd, ≈ 130 MFLOP/step
 *   W5  2·(512+512)·2048 ≈ 4.2 MFLOP per time step, 4.2 GFLOP per 1000-step call
 *   W6  2n³: 0.27 GFLOP (512²), 2.1 GFLOP (1024²)
 *
 * Run: npm run bench (bench/run.ts times these against PyTorch).
 */
import {
  cat,
  manualSeed,
  nn,
  noGrad,
  optim,
  randint,
  randn,
  utils,
  type Tensor,
} from "../src/index.js";

export type Config = Record<string, number>;

export interface Built {
  /** One unit of work: a train step, a generation run or a GEMM. */
  step: () => number;
  /** How many `unit`s one step is worth (samples, tokens, time steps, GFLOP). */
  perStep: number;
  params: number;
}

export interface Workload {
  id: string;
  what: string;
  /** Throughput unit, per second. */
  unit: string;
  config: Config;
  build: (config: Config) => Built;
  /**
   * PyTorch's figure as issue 5 states it for this machine (PyTorch 1.13 with MKL-DNN, best of 1
   * or 2 threads): between Debian's python3-torch on netlib's reference BLAS (its default, far
   * slower on GEMM-bound workloads) and on OpenBLAS (up to 2× faster than this figure on W2), so
   * the bench prints the ratio against it too.
   */
  reference?: number;
}

function countParams(modules: nn.Module[]): number {
  return modules.flatMap((m) => m.parameters()).reduce((n, p) => n + p.numel(), 0);
}

function trainStep(
  modules: nn.Module[],
  lr: number,
  loss: () => Tensor,
  clip = 0,
): Pick<Built, "step" | "params"> {
  const params = modules.flatMap((m) => m.parameters());
  const opt = new optim.Adam(params, { lr });
  const step = () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    if (clip > 0) utils.clipGradNorm(params, clip);
    opt.step();
    return l.item();
  };
  return { step, params: countParams(modules) };
}

/** W1: Embedding → LSTM → Linear on the final hidden state. */
export function newsClassifier(c: Config): Built {
  manualSeed(0);
  const embedding = new nn.Embedding(c.vocab, c.embed);
  const lstm = new nn.LSTM({ inputSize: c.embed, hiddenSize: c.hidden, batchFirst: true });
  const fc = new nn.Linear(c.hidden, c.classes);
  const x = randint(0, c.vocab, [c.batch, c.T]);
  const y = randint(0, c.classes, [c.batch]);
  const loss = () => {
    const [, [hN]] = lstm.forward(embedding.forward(x)); // hN [1, B, H]
    return nn.functional.crossEntropy(fc.forward(hN.select(0, -1)), y);
  };
  return { ...trainStep([embedding, lstm, fc], 1e-3, loss), perStep: c.batch };
}

/** W2: Embedding → 2-layer LSTM → Linear at every step (bench/w2.ts). */
export function charLM(c: Config): Built {
  manualSeed(0);
  const embedding = new nn.Embedding(c.vocab, c.embed);
  const lstm = new nn.LSTM({
    inputSize: c.embed,
    hiddenSize: c.hidden,
    numLayers: c.layers,
    batchFirst: true,
  });
  const fc = new nn.Linear(c.hidden, c.vocab);
  const x = randint(0, c.vocab, [c.batch, c.T]);
  const y = randint(0, c.vocab, [c.batch * c.T]);
  const loss = () => {
    const [out] = lstm.forward(embedding.forward(x)); // [B, T, H]
    return nn.functional.crossEntropy(fc.forward(out).reshape(-1, c.vocab), y); // [B·T, V]
  };
  return { ...trainStep([embedding, lstm, fc], 2e-3, loss), perStep: c.batch * c.T };
}

/**
 * W3: Embedding → dropout → 2-layer biLSTM → Linear on the outputs at the first and last time
 * steps, concatenated (d2l's BiRNN: each holds one direction's final state), hence 4H inputs.
 */
export function sentimentBiLSTM(c: Config): Built {
  manualSeed(0);
  const embedding = new nn.Embedding(c.vocab, c.embed);
  const dropout = new nn.Dropout(c.dropout);
  const lstm = new nn.LSTM({
    inputSize: c.embed,
    hiddenSize: c.hidden,
    numLayers: c.layers,
    bidirectional: true,
    batchFirst: true,
  });
  const fc = new nn.Linear(4 * c.hidden, c.classes);
  const x = randint(0, c.vocab, [c.batch, c.T]);
  const y = randint(0, c.classes, [c.batch]);
  const loss = () => {
    const [out] = lstm.forward(dropout.forward(embedding.forward(x))); // [B, T, 2H]
    const ends = cat([out.select(1, 0), out.select(1, -1)], 1); // [B, 4H]
    return nn.functional.crossEntropy(fc.forward(ends), y);
  };
  return { ...trainStep([embedding, dropout, lstm, fc], 1e-3, loss), perStep: c.batch };
}

/**
 * W4: GRU encoder–decoder with teacher forcing (d2l's Seq2SeqEncoder/Decoder): the decoder starts
 * from the encoder's final state and sees the encoder's top-layer final state at every step.
 */
export function seq2seqGRU(c: Config): Built {
  manualSeed(0);
  const gru = (inputSize: number) =>
    new nn.GRU({ inputSize, hiddenSize: c.hidden, numLayers: c.layers, batchFirst: true });
  const encEmbedding = new nn.Embedding(c.vocab, c.embed);
  const encoder = gru(c.embed);
  const decEmbedding = new nn.Embedding(c.vocab, c.embed);
  const decoder = gru(c.embed + c.hidden);
  const fc = new nn.Linear(c.hidden, c.vocab);
  const src = randint(0, c.vocab, [c.batch, c.T]);
  const tgtIn = randint(0, c.vocab, [c.batch, c.T]);
  const tgtOut = randint(0, c.vocab, [c.batch * c.T]);
  const loss = () => {
    const [, state] = encoder.forward(encEmbedding.forward(src)); // [L, B, H]
    const context = state.select(0, -1).unsqueeze(1).expand(c.batch, c.T, c.hidden); // [B, T, H]
    const input = cat([decEmbedding.forward(tgtIn), context], 2); // [B, T, E + H]
    const [out] = decoder.forward(input, state); // [B, T, H]
    return nn.functional.crossEntropy(fc.forward(out).reshape(-1, c.vocab), tgtOut); // [B·T, V]
  };
  const modules = [encEmbedding, encoder, decEmbedding, decoder, fc];
  return { ...trainStep(modules, 1e-3, loss, c.clip), perStep: c.batch };
}

function generator(c: Config): nn.LSTM {
  manualSeed(0);
  const lstm = new nn.LSTM({ inputSize: c.hidden, hiddenSize: c.hidden });
  lstm.eval();
  return lstm;
}

/** W5, one step at a time: each step's output h is the next step's input, batch 1. */
export function generateStepwise(c: Config): Built {
  const lstm = generator(c);
  const x0 = randn([1, 1, c.hidden]); // [T=1, B=1, H]
  const step = () =>
    noGrad(() => {
      let x = x0;
      let state: [Tensor, Tensor] | undefined;
      for (let t = 0; t < c.steps; t++) [x, state] = lstm.forward(x, state);
      return x.data[0];
    });
  return { step, perStep: c.steps, params: countParams([lstm]) };
}

/** W5, the whole sequence in one call. */
export function generateSequence(c: Config): Built {
  const lstm = generator(c);
  const x = randn([c.steps, 1, c.hidden]); // [T, B=1, H]
  const step = () => noGrad(() => lstm.forward(x)[0].data[0]);
  return { step, perStep: c.steps, params: countParams([lstm]) };
}

/** W6: C = A·B, n×n float32. */
export function gemm(c: Config): Built {
  manualSeed(0);
  const a = randn([c.n, c.n]);
  const b = randn([c.n, c.n]);
  const step = () => a.matmul(b).data[0];
  return { step, perStep: (2 * c.n ** 3) / 1e9, params: 0 };
}

export const workloads: Workload[] = [
  {
    id: "W1",
    what: "news classifier train step",
    unit: "samples/s",
    config: { vocab: 95812, embed: 64, hidden: 32, classes: 4, batch: 16, T: 40 },
    build: newsClassifier,
    reference: 226,
  },
  {
    id: "W2",
    what: "char-LM train step",
    unit: "tokens/s",
    config: { vocab: 96, embed: 128, hidden: 256, layers: 2, batch: 32, T: 100 },
    build: charLM,
    reference: 4386,
  },
  {
    id: "W3",
    what: "sentiment biLSTM train step",
    unit: "samples/s",
    config: {
      vocab: 20000,
      embed: 100,
      dropout: 0.5,
      hidden: 16,
      layers: 2,
      classes: 2,
      batch: 32,
      T: 50,
    },
    build: sentimentBiLSTM,
    reference: 420,
  },
  {
    id: "W4",
    what: "seq2seq GRU train step",
    unit: "samples/s",
    config: { vocab: 200, embed: 32, hidden: 32, layers: 2, batch: 64, T: 10, clip: 1 },
    build: seq2seqGRU,
    reference: 3149,
  },
  {
    id: "W5-step",
    what: "generation, one step at a time",
    unit: "steps/s",
    config: { hidden: 512, steps: 1000 },
    build: generateStepwise,
    reference: 876,
  },
  {
    id: "W5-seq",
    what: "generation, whole sequence",
    unit: "steps/s",
    config: { hidden: 512, steps: 1000 },
    build: generateSequence,
    reference: 2375,
  },
  { id: "W6-512", what: "GEMM 512²", unit: "GFLOP/s", config: { n: 512 }, build: gemm },
  {
    id: "W6-1024",
    what: "GEMM 1024²",
    unit: "GFLOP/s",
    config: { n: 1024 },
    build: gemm,
    reference: 67,
  },
];
