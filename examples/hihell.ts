/**
 * The smallest end-to-end example from the PyTorch RNN tutorials: a one-layer RNN learns to turn
 * "hihell" into "ihello", one character ahead. Inputs are one-hot vectors, the RNN's hidden state
 * (size 5, one unit per character) is read directly as the logits, as in the tutorial.
 *
 * Run: npx tsx examples/hihell.ts
 */
import { fileURLToPath } from "node:url";
import { manualSeed, nn, optim, tensor, type Tensor } from "../src/index.js";

const chars = ["h", "i", "e", "l", "o"];
const x = [0, 1, 0, 2, 3, 3]; // "hihell"
const y = [1, 0, 2, 3, 3, 4]; // "ihello"

export function oneHot(indices: number[], classes: number): Tensor {
  return tensor(indices.map((i) => Array.from({ length: classes }, (_, k) => (k === i ? 1 : 0))));
}

/** Trains for `epochs` and returns the predicted string after each reported epoch. */
export function trainHihell(
  options: { epochs?: number; every?: number; log?: (line: string) => void } = {},
) {
  const { epochs = 100, every = 20, log = () => {} } = options;
  manualSeed(777);
  const rnn = new nn.RNN({ inputSize: 5, hiddenSize: 5, batchFirst: true });
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(rnn.parameters(), { lr: 0.1 });
  const inputs = oneHot(x, chars.length).unsqueeze(0); // [1, 6, 5]: batch 1, 6 steps, one-hot
  const targets = tensor(y, { dtype: "int32" }); // [6]
  const predictions: string[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    optimizer.zeroGrad();
    const [out] = rnn.forward(inputs); // [1, 6, 5]
    const logits = out.reshape(-1, chars.length); // [6, 5]
    const loss = lossFn.forward(logits, targets);
    loss.backward();
    optimizer.step();
    if (epoch % every === 0 || epoch === epochs) {
      const predicted = (logits.argmax(1).toArray() as number[]).map((i) => chars[i]).join("");
      predictions.push(predicted);
      log(
        `epoch ${String(epoch).padStart(3)}  loss ${loss.item().toFixed(4)}  predicted "${predicted}"`,
      );
    }
  }
  return { model: rnn, predictions, final: predictions[predictions.length - 1] };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(String(new nn.RNN({ inputSize: 5, hiddenSize: 5, batchFirst: true })));
  const { final } = trainHihell({ log: console.log });
  console.log(final === "ihello" ? `learned: hihell -> ${final}` : `did not converge: ${final}`);
}
