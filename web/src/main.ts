/**
 * The demo page: two tabs over one worker (web/src/worker.ts) — train a language model on a text
 * and write with it, or classify texts with a model trained by the CLI. The page's thread only
 * draws; a lag monitor (a 50 ms timer, how late it fires) shows that it stays free while the
 * worker trains. `window.demo` exposes the page's state for the console and the browser test.
 *
 * @example
 * npm run web   # then open http://localhost:8080
 */
import { ClassifyTab } from "./classify-tab.js";
import { byId } from "./dom.js";
import { Engine } from "./engine.js";
import { TrainTab } from "./train-tab.js";

/** What the page shows, as data (read by test/web/demo.test.ts). */
export interface DemoState {
  ready: boolean;
  isolated: boolean;
  phase: string;
  losses: { step: number; loss: number }[];
  samples: number;
  generated: string;
  predictions: string[];
  /** The longest the page's thread was late for its 50 ms timer since training started (ms). */
  lagMax: number;
  /** How long after the click its handler ran (ms, from the event's timeStamp): tabs, Stop. */
  tabDelay: number;
  stopDelay: number;
  /** performance.now() when the Stop handler ran, and when the worker said it stopped. */
  stopHandledAt: number;
  stoppedAt: number;
  activeTab: string;
}

const demo: DemoState = {
  ready: false,
  isolated: false,
  phase: "empty",
  losses: [],
  samples: 0,
  generated: "",
  predictions: [],
  lagMax: 0,
  tabDelay: 0,
  stopDelay: 0,
  stopHandledAt: 0,
  stoppedAt: 0,
  activeTab: "train",
};
(window as unknown as { demo: DemoState }).demo = demo;

function monitorLag(): void {
  const every = 50;
  let expected = performance.now() + every;
  setInterval(() => {
    const now = performance.now();
    const lag = Math.max(0, now - expected);
    expected = now + every;
    if (lag > demo.lagMax) demo.lagMax = lag;
    byId("stat-lag").textContent = `${demo.lagMax.toFixed(0)} ms`;
  }, every);
}

function setupTabs(): void {
  for (const tab of ["train", "classify"]) {
    byId(`tab-${tab}`).addEventListener("click", (e) => {
      demo.tabDelay = performance.now() - e.timeStamp;
      for (const other of ["train", "classify"]) {
        byId(`tab-${other}`).classList.toggle("active", other === tab);
        byId(`panel-${other}`).hidden = other !== tab;
      }
      demo.activeTab = tab;
    });
  }
}

const engine = new Engine();
engine.on((e) => {
  if (e.kind !== "ready") return;
  demo.ready = true;
  demo.isolated = e.isolated;
  byId("env").textContent = e.isolated
    ? `cross-origin isolated: the wasm backend may use threads (${e.cores} cores)`
    : "not cross-origin isolated: the wasm backend runs on one thread";
});
setupTabs();
new TrainTab(engine, demo);
new ClassifyTab(engine, demo);
monitorLag();
