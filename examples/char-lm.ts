/**
 * A character-level LSTM language model on Moby Dick, written out by hand as in the char-RNN and
 * word_language_model tutorials: batchify the text into rows, train with truncated BPTT (the
 * hidden state carried from window to window, detached), then sample a passage with temperature.
 * (`recurrent train lm` is the same recipe with checkpoints and a report.)
 *
 * Run: npx tsx examples/char-lm.ts [--steps 300] [--hidden 256]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import {
  data,
  Generator,
  manualSeed,
  nn,
  noGrad,
  optim,
  softmax,
  tensor,
  utils,
  type Tensor,
} from "../src/index.js";
import { loadDataset } from "../src/io/node/index.js";

class CharLM extends nn.Module {
  embedding: nn.Embedding;
  lstm: nn.LSTM;
  fc: nn.Linear;
  constructor(vocabSize: number, hidden: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, 64);
    this.lstm = new nn.LSTM({ inputSize: 64, hiddenSize: hidden });
    this.fc = new nn.Linear(hidden, vocabSize);
  }
  forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    const [out, next] = this.lstm.forward(this.embedding.forward(x), state); // [T, B, H]
    return [this.fc.forward(out), next]; // [T, B, V]
  }
}

/** Draws the next character id from logits [V] at `temperature`, never `skip` (`<unk>`). */
function sample(logits: Tensor, temperature: number, g: Generator, skip: number): number {
  const p = softmax(logits.div(temperature), 0).data.slice();
  const total = 1 - p[skip];
  p[skip] = 0;
  let u = g.uniform() * total;
  for (let i = 0; i < p.length; i++) if ((u -= p[i]) < 0) return i;
  return p.length - 1;
}

export async function trainCharLm(
  options: { steps?: number; hidden?: number; log?: (s: string) => void } = {},
) {
  const { steps = 300, hidden = 256, log = () => {} } = options;
  manualSeed(0);
  const { text } = await loadDataset("moby-dick");
  const chars = Array.from(text);
  const vocab = data.Vocab.build([chars], {
    specials: ["<unk>"],
    padToken: null,
    bosToken: null,
    eosToken: null,
  });
  const model = new CharLM(vocab.length, hidden);
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const windows = new data.BpttIterator(vocab.encode(chars), { batchSize: 32, bpttLen: 100 });
  let state: [Tensor, Tensor] | undefined;
  let step = 0;
  const losses: number[] = [];
  for (const { input, target } of windows) {
    const [logits, next] = model.forward(input, state); // input, target [100, 32]
    state = data.detachState(next); // keep the state, cut the graph
    const l = nn.functional.crossEntropy(logits.reshape(-1, vocab.length), target.reshape(-1));
    optimizer.zeroGrad();
    l.backward();
    utils.clipGradNorm(model.parameters(), 5);
    optimizer.step();
    losses.push(l.item());
    if (++step % 25 === 0) log(`step ${step}  loss ${losses[step - 1].toFixed(3)} nats/char`);
    if (step >= steps) break;
  }
  // Generation: feed the prime, then one sampled character at a time.
  const g = new Generator(1);
  let out = "Call me ";
  noGrad(() => {
    let [logits, s] = model.forward(
      tensor([vocab.encode(Array.from(out))], { dtype: "int32" }).t(),
    );
    for (let i = 0; i < 200; i++) {
      const id = sample(logits.select(0, -1).select(0, 0), 0.8, g, vocab.unkIndex);
      out += vocab.tokenAt(id);
      [logits, s] = model.forward(tensor([[id]], { dtype: "int32" }), s);
    }
  });
  return { losses, text: out };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { steps: { type: "string" }, hidden: { type: "string" } },
  });
  const { text } = await trainCharLm({
    steps: Number(values.steps ?? 300),
    hidden: Number(values.hidden ?? 256),
    log: console.log,
  });
  console.log(`\n${text}`);
}
