import assert from "node:assert/strict";
import { test } from "node:test";
import { trainHihell } from "../../examples/hihell.js";

test("examples/hihell: a one-layer RNN learns hihell -> ihello", () => {
  const { predictions, final } = trainHihell({ epochs: 100, every: 20 });
  assert.equal(predictions.length, 5);
  assert.equal(final, "ihello");
});

test("examples/hihell: training is reproducible with the same seed", () => {
  const a = trainHihell({ epochs: 20, every: 20 });
  const b = trainHihell({ epochs: 20, every: 20 });
  assert.deepEqual(
    Array.from(a.model.parameters()[0].data),
    Array.from(b.model.parameters()[0].data),
  );
});
