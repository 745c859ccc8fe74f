/**
 * The bench page's worker: runs W2 (web/src/w2-timing.ts) when asked and posts the result, or
 * the error. A worker, as in the demo: the page's own thread never runs kernels.
 *
 * @example
 * worker.postMessage({ steps: 5 });   // → { ok: true, result: W2Result }
 */
import { timeW2 } from "./w2-timing.js";

const scope = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent<{ steps: number; warmSeconds: number }>) => void) | null;
};

scope.onmessage = (e) => {
  try {
    scope.postMessage({ ok: true, result: timeW2(e.data) });
  } catch (err) {
    scope.postMessage({ ok: false, error: (err as Error).message });
  }
};
