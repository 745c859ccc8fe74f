/**
 * The page's handle on the demo worker: typed requests that resolve with the worker's reply (or
 * reject with its error message), and a stream of unasked events (steps, samples, stops).
 *
 * @example
 * const engine = new Engine();
 * engine.on((e) => e.kind === "step" && console.log(e.loss));
 * const text = await engine.request("generate", { prime: "", length: 100, temperature: 1, seed: 0 });
 */
import type { FromWorker, Request, RequestKind, Requests, WorkerEvent } from "./protocol.js";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class Engine {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((e: WorkerEvent) => void)[] = [];
  private nextId = 1;

  constructor(url = new URL("./worker.js", import.meta.url)) {
    this.worker = new Worker(url, { type: "module" });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.kind === "reply") {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.result);
        else p?.reject(new Error(m.error));
        return;
      }
      for (const f of this.listeners) f(m);
    };
    this.worker.onerror = (e) => {
      const message = e.message || "the worker failed to start";
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
      for (const f of this.listeners) f({ kind: "stopped", reason: "error", step: 0, message });
    };
  }

  on(listener: (e: WorkerEvent) => void): void {
    this.listeners.push(listener);
  }

  request<K extends RequestKind>(
    kind: K,
    args: Requests[K]["args"],
  ): Promise<Requests[K]["result"]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, kind, ...args } as Request);
    });
  }
}
