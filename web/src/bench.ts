/**
 * The bench page (bench.html): W2's train step in a Web Worker, timed as in Node, shown on the
 * page and left in `window.bench` for web/tools/bench.ts. `?steps=N&warm=S` set the timed steps
 * and the warm-up seconds.
 *
 * @example
 * npm run bench:web            # Chromium and Node figures side by side
 */
import { byId } from "./dom.js";
import type { W2Result } from "./w2-timing.js";

interface BenchState {
  done: boolean;
  isolated: boolean;
  cores: number;
  result?: W2Result;
  error?: string;
}

const params = new URLSearchParams(location.search);
const state: BenchState = {
  done: false,
  isolated: window.crossOriginIsolated === true,
  cores: navigator.hardwareConcurrency ?? 1,
};
(window as unknown as { bench: BenchState }).bench = state;

const out = byId("result");
out.textContent = `running W2 in a worker (${state.isolated ? "cross-origin isolated" : "not isolated"}, ${state.cores} cores)…`;
const worker = new Worker(new URL("./bench-worker.js", import.meta.url), { type: "module" });
worker.onmessage = (e: MessageEvent<{ ok: boolean; result?: W2Result; error?: string }>) => {
  state.done = true;
  if (!e.data.ok) {
    state.error = e.data.error;
    out.textContent = `W2 failed: ${e.data.error}`;
    return;
  }
  const r = e.data.result!;
  state.result = r;
  out.textContent =
    `W2 char-LM train step: ${r.msPerStep.toFixed(0)} ms/step, ${Math.round(r.tokensPerSec).toLocaleString("en-US")} tokens/s\n` +
    `(${r.samples.length} timed steps after ${r.warmupSteps} warm-up steps; ${r.params.toLocaleString("en-US")} parameters; loss ${r.loss.toFixed(4)})`;
};
worker.onerror = (e) => {
  state.done = true;
  state.error = e.message;
  out.textContent = `W2 failed: ${e.message}`;
};
worker.postMessage({
  steps: Number(params.get("steps") ?? 5),
  warmSeconds: Number(params.get("warm") ?? 1),
});
