import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { trainCharLm } from "../../examples/char-lm.js";
import { trainNews } from "../../examples/news-classifier.js";
import { trainSentiment } from "../../examples/sentiment-bilstm.js";
import { trainG2p } from "../../examples/seq2seq-attention.js";

// Each tutorial example, cut down to seconds: it runs, its loss goes down, its output is sane.
describe("examples", () => {
  test("char-lm: loss falls from log(V); the passage continues the prime", async () => {
    const { losses, text } = await trainCharLm({ steps: 12, hidden: 32 });
    assert.ok(losses[0] > 4 && losses.at(-1)! < losses[0] - 0.5, `losses ${losses.join(", ")}`);
    assert.ok(text.startsWith("Call me ") && Array.from(text).length === 208);
    assert.ok(!text.includes("<unk>"));
  });

  test("news-classifier: packed LSTM over State of the Union eras", async () => {
    const { losses, accuracy, classes } = await trainNews({ epochs: 2, limit: 160 });
    assert.equal(classes.length, 4);
    assert.ok(losses[1] < losses[0], `losses ${losses.join(", ")}`);
    assert.ok(accuracy >= 0 && accuracy <= 1);
  });

  test("sentiment-bilstm: 2-layer biLSTM, ham vs spam", async () => {
    const { losses, accuracy } = await trainSentiment({ epochs: 2, limit: 120 });
    assert.ok(losses[1] < losses[0], `losses ${losses.join(", ")}`);
    assert.ok(accuracy >= 0 && accuracy <= 1);
  });

  test("seq2seq-attention: letters → phonemes with Bahdanau attention", async () => {
    const { losses, exactMatch } = await trainG2p({ epochs: 2, limit: 300 });
    assert.ok(losses[1] < losses[0], `losses ${losses.join(", ")}`);
    assert.ok(exactMatch >= 0 && exactMatch <= 1);
  });
});
