/**
 * The demo's Web Worker: it owns the language model (an LmSession) and the classifier, and answers
 * the page's requests (web/src/protocol.ts). Training is an async loop that yields to this
 * worker's event loop between steps, so a Stop, a Generate or a Classify sent while it runs is
 * handled at the next step boundary; the page's own thread never runs a kernel.
 *
 * @example
 * const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
 */
import { classifier } from "../../src/index.js";
import { LmSession } from "./lm-session.js";
import type { ClassifierInfo, FromWorker, Request, Requests, WorkerEvent } from "./protocol.js";

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  crossOriginIsolated?: boolean;
  navigator: { hardwareConcurrency?: number };
}
const scope = self as unknown as WorkerScope;
const emit = (e: WorkerEvent): void => scope.postMessage(e);

let lm: LmSession | null = null;
let cls: classifier.LoadedClassifier | null = null;
let clsSource = "";

function needLm(): LmSession {
  if (!lm) throw new Error("no language model yet: train one or load one");
  return lm;
}

function startTraining(session: LmSession): void {
  session
    .train(emit)
    .catch((e: Error) => emit({ kind: "stopped", reason: "error", step: 0, message: e.message }));
}

function classifierInfo(): ClassifierInfo {
  const { model, config } = cls!;
  return {
    source: clsSource,
    classes: config.data.classes,
    cell: model.config.cell,
    bidirectional: model.config.bidirectional,
    hiddenSize: model.config.hiddenSize,
    pooling: model.config.pooling,
    vocabSize: model.config.vocabSize,
    parameters: model.parameters().reduce((n, p) => n + p.numel(), 0),
  };
}

type Handlers = {
  [K in keyof Requests]: (
    r: Extract<Request, { kind: K }>,
  ) => Requests[K]["result"] | Promise<Requests[K]["result"]>;
};

const handlers: Handlers = {
  train(r) {
    if (lm?.running) throw new Error("already training: stop first");
    lm = LmSession.create(r.text, r.source, r.settings);
    startTraining(lm);
    return lm.info();
  },
  resume(r) {
    const session = needLm();
    if (session.running) throw new Error("already training");
    session.prepareFineTune(r.text, r.source, r.settings);
    startTraining(session);
    return session.info();
  },
  stop() {
    lm?.stop();
    return null;
  },
  generate(r) {
    return needLm().generate(r);
  },
  lmFiles() {
    return needLm().files();
  },
  loadLm(r) {
    if (lm?.running) throw new Error("stop training before loading a model");
    lm = LmSession.load(r.files, r.source);
    return lm.info();
  },
  loadClassifier(r) {
    cls = classifier.classifierFromFiles(r.files, r.source);
    clsSource = r.source;
    return classifierInfo();
  },
  classify(r) {
    if (!cls)
      throw new Error(
        "no classifier yet: load a model directory written by `recurrent train classify`",
      );
    const { model, vocab, config } = cls;
    return classifier
      .predictTexts(model, vocab, r.texts, { ...config.data, classes: config.data.classes })
      .map((p) => ({ label: p.label, probabilities: p.probabilities }));
  },
};

scope.onmessage = async (e) => {
  const r = e.data;
  try {
    const handler = handlers[r.kind] as (r: Request) => unknown;
    const result = await handler(r);
    scope.postMessage({ kind: "reply", id: r.id, ok: true, result });
  } catch (err) {
    scope.postMessage({ kind: "reply", id: r.id, ok: false, error: (err as Error).message });
  }
};

emit({
  kind: "ready",
  isolated: scope.crossOriginIsolated === true,
  cores: scope.navigator.hardwareConcurrency ?? 1,
});
