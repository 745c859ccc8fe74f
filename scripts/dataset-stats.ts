// Measures the bundled datasets in full (examples per class, characters) for docs/datasets.md.
// One-off, not part of the tests: `npx tsx scripts/dataset-stats.ts [name ...]`.
import { loadDataset, type LoadDatasetOptions } from "../src/io/node/datasets.js";

const runs: [string, LoadDatasetOptions][] = [
  ["moby-dick", {}],
  ["sotu-party", {}],
  ["sotu-party", { unit: "document" }],
  ["sotu-era", {}],
  ["sotu-era", { unit: "document" }],
  ["spam-assassin", {}],
  ["cmudict", {}],
  ["brown", {}],
  ["brown", { unit: "document" }],
];
const only = process.argv.slice(2);
const fmt = (n: number) => n.toLocaleString("en-US");

for (const [name, options] of runs) {
  if (only.length > 0 && !only.includes(name)) continue;
  const t0 = performance.now();
  const d = await loadDataset(name, options);
  const ms = (performance.now() - t0).toFixed(0);
  const label = `${name}${options.unit ? ` (unit ${options.unit})` : ""}`;
  if (d.kind === "lm") {
    const vocab = new Set(d.text).size;
    console.log(`${label}: ${fmt(d.text.length)} characters, ${vocab} distinct; ${ms} ms`);
  } else if (d.kind === "classify") {
    const count = d.classes.map(() => 0);
    const chars = d.classes.map(() => 0);
    for (const e of d.examples) {
      count[e.label]!++;
      chars[e.label]! += e.text.length;
    }
    const total = chars.reduce((a, b) => a + b, 0);
    const words = d.examples.reduce((s, e) => s + e.text.split(/\s+/).filter(Boolean).length, 0);
    console.log(
      `${label}: ${fmt(d.examples.length)} examples, ${fmt(total)} characters, ` +
        `mean ${(words / d.examples.length).toFixed(0)} words; ${ms} ms`,
    );
    d.classes.forEach((c, i) =>
      console.log(`  ${c}: ${fmt(count[i]!)} examples, ${fmt(chars[i]!)} characters`),
    );
  } else {
    const src = d.pairs.reduce((s, p) => s + p.source.split(" ").length, 0);
    const tgt = d.pairs.reduce((s, p) => s + p.target.split(" ").length, 0);
    const symbols = new Set(d.pairs.flatMap((p) => p.target.split(" "))).size;
    console.log(
      `${label}: ${fmt(d.pairs.length)} pairs, mean ${(src / d.pairs.length).toFixed(1)} source ` +
        `tokens, ${(tgt / d.pairs.length).toFixed(1)} target tokens, ${symbols} target symbols; ${ms} ms`,
    );
    console.log(`  e.g. ${JSON.stringify(d.pairs[Math.floor(d.pairs.length / 3)])}`);
  }
}
