/**
 * The "Train" tab: a text (Moby Dick, a picked file or pasted), model and loop settings, and the
 * buttons Train (a new run), Stop, Resume (continue the current model), Download model (a .zip of
 * its directory) and Load model (a .zip or the three files, e.g. from `recurrent train lm`); the
 * live loss curve, tokens/s, samples every N steps, and Generate with a temperature. All the work
 * happens in the worker; this file only turns its events into the page.
 *
 * @example
 * new TrainTab(engine, demo);   // wires the elements of #panel-train in index.html
 */
import { LossChart } from "./chart.js";
import { byId, formatInt, guarded, numberOf, setStatus } from "./dom.js";
import type { Engine } from "./engine.js";
import { download, readModelFiles, zipModel } from "./model-files.js";
import type { LmInfo, TrainSettings } from "./protocol.js";
import type { DemoState } from "./main.js";

type Phase = "empty" | "training" | "stopping" | "idle";

const PREVIEW_CHARS = 20_000;

export class TrainTab {
  private readonly chart = new LossChart(byId<HTMLCanvasElement>("loss-chart"));
  private readonly status = byId("status");
  private readonly text = byId<HTMLTextAreaElement>("text");
  private source = "pasted";
  private fullText = "";
  private model: LmInfo | null = null;
  private seed = 0;

  constructor(
    private readonly engine: Engine,
    private readonly demo: DemoState,
  ) {
    const click = (id: string, f: () => Promise<void> | void): void =>
      byId(id).addEventListener("click", () => void guarded(this.status, f));
    byId("stop").addEventListener("click", (e) => {
      demo.stopDelay = performance.now() - e.timeStamp;
    });
    click("use-moby", () => this.loadMobyDick());
    click("train", () => this.start("train"));
    click("resume", () => this.start("resume"));
    click("stop", () => this.stop());
    click("generate", () => this.generate());
    click("download", () => this.download());
    byId<HTMLInputElement>("pick-text").addEventListener("change", (e) =>
      guarded(this.status, () => this.pickText(e.target as HTMLInputElement)),
    );
    byId<HTMLInputElement>("load-lm").addEventListener("change", (e) =>
      guarded(this.status, () => this.loadModel(e.target as HTMLInputElement)),
    );
    this.text.addEventListener("input", () => this.setText(this.text.value, "pasted", false));
    click("clear-text", () => {
      this.setText("", "pasted");
      this.text.focus();
    });
    const temperature = byId<HTMLInputElement>("temperature");
    temperature.addEventListener("input", () => {
      byId("temperature-value").textContent = Number(temperature.value).toFixed(2);
    });
    engine.on((e) => {
      if (e.kind === "step") {
        this.chart.push(e.step, e.loss);
        demo.losses.push({ step: e.step, loss: e.loss });
        byId("stat-step").textContent =
          `${formatInt(e.step)} (epoch ${e.epoch + 1}, ${e.batch}/${e.batches})`;
        byId("stat-loss").textContent = e.loss.toFixed(3);
        byId("stat-tps").textContent = formatInt(e.tokensPerSec);
        byId("stat-ms").textContent = e.msPerStep.toFixed(0);
      } else if (e.kind === "sample") {
        this.addSample(e.step, e.text);
      } else if (e.kind === "eval") {
        this.chart.pushValid(e.step, e.loss);
        byId("stat-valid").textContent =
          `${e.loss.toFixed(3)} (perplexity ${e.perplexity.toFixed(1)})`;
      } else if (e.kind === "stopped") {
        this.demo.stoppedAt = performance.now();
        if (this.model) this.model.step = e.step;
        const why = e.message ?? (e.reason === "stopped" ? "stopped" : e.reason);
        setStatus(
          this.status,
          `${why} at step ${formatInt(e.step)}`,
          e.reason === "error" || e.reason === "nonfinite",
        );
        this.setPhase(this.model ? "idle" : "empty");
      }
    });
    this.setPhase("empty");
  }

  private setPhase(phase: Phase): void {
    this.demo.phase = phase;
    const busy = phase === "training" || phase === "stopping";
    const has = phase !== "empty";
    const enable = (id: string, on: boolean): void => {
      byId<HTMLButtonElement | HTMLInputElement>(id).disabled = !on;
    };
    enable("train", !busy);
    enable("stop", phase === "training");
    enable("resume", has && !busy);
    enable("load-lm", !busy);
    enable("generate", has);
    enable("download", has);
  }

  /**
   * A long text is shown as a read-only preview: a textarea holding a megabyte costs the page
   * a second of layout whenever it reappears. Clear makes it editable again.
   */
  private setText(text: string, source: string, fill = true): void {
    this.source = source;
    this.fullText = text;
    const preview = text.length > PREVIEW_CHARS;
    if (fill) this.text.value = preview ? text.slice(0, PREVIEW_CHARS) : text;
    this.text.readOnly = preview;
    byId("text-info").textContent =
      `${formatInt(text.length)} characters (${source})` +
      (preview ? `, the first ${formatInt(PREVIEW_CHARS)} shown; Clear to paste your own` : "");
  }

  private async loadMobyDick(): Promise<void> {
    setStatus(this.status, "fetching Moby Dick…");
    const res = await fetch(new URL("./moby-dick.txt", import.meta.url));
    if (!res.ok) throw new Error(`moby-dick.txt: HTTP ${res.status} (run npm run build:web)`);
    this.setText(await res.text(), "moby-dick");
    setStatus(this.status, "Moby Dick loaded: press Train");
  }

  private async pickText(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    this.setText(await file.text(), file.name);
    input.value = "";
  }

  private settings(): TrainSettings {
    return {
      level: byId<HTMLSelectElement>("level").value as TrainSettings["level"],
      cell: byId<HTMLSelectElement>("cell").value as TrainSettings["cell"],
      numLayers: numberOf("layers"),
      hiddenSize: numberOf("hidden"),
      embeddingSize: numberOf("embedding"),
      batchSize: numberOf("batch"),
      bpttLen: numberOf("bptt"),
      lr: numberOf("lr"),
      clip: 5,
      sampleEvery: numberOf("sample-every"),
      seed: 0,
    };
  }

  private describe(m: LmInfo): string {
    return (
      `${m.cell.toUpperCase()} ${m.numLayers}×${m.hiddenSize}, ${m.level} level, vocabulary ${m.vocabSize}, ` +
      `${formatInt(m.parameters)} parameters` +
      (m.trainTokens > 0 ? `, ${formatInt(m.trainTokens)} training tokens` : "")
    );
  }

  private async start(kind: "train" | "resume"): Promise<void> {
    const text = this.fullText;
    if (kind === "train" && text.length === 0)
      throw new Error("no text: press Moby Dick, pick a .txt file or paste some text");
    setStatus(this.status, kind === "train" ? "building the model…" : "resuming…");
    this.setPhase("training");
    if (kind === "train") {
      this.chart.clear();
      this.demo.losses.length = 0;
    }
    this.demo.lagMax = 0;
    try {
      const info = await this.engine.request(kind, {
        text,
        source: this.source,
        settings: this.settings(),
      });
      this.model = info;
      byId("model-info").textContent = this.describe(info);
      setStatus(this.status, `training on ${info.source}…`);
    } catch (e) {
      this.setPhase(this.model ? "idle" : "empty");
      throw e;
    }
  }

  private async stop(): Promise<void> {
    this.demo.stopHandledAt = performance.now();
    this.setPhase("stopping");
    setStatus(this.status, "stopping after this step…");
    await this.engine.request("stop", {});
  }

  private addSample(step: number, text: string): void {
    const list = byId("samples");
    const item = document.createElement("div");
    item.className = "sample";
    const head = document.createElement("div");
    head.className = "sample-step";
    head.textContent = `step ${formatInt(step)}`;
    const body = document.createElement("pre");
    body.textContent = text;
    item.append(head, body);
    list.prepend(item);
    while (list.children.length > 4) list.lastElementChild!.remove();
    this.demo.samples++;
  }

  private async generate(): Promise<void> {
    const prime = byId<HTMLInputElement>("prime").value;
    const out = byId("generated");
    out.textContent = "…";
    const text = await this.engine.request("generate", {
      prime,
      length: numberOf("gen-length"),
      temperature: numberOf("temperature"),
      seed: this.seed++,
    });
    const strong = document.createElement("strong");
    strong.textContent = prime;
    out.replaceChildren(strong, document.createTextNode(text));
    this.demo.generated = prime + text;
  }

  private async download(): Promise<void> {
    const files = await this.engine.request("lmFiles", {});
    const dir = `lm-${(this.model?.source ?? "web").replace(/[^A-Za-z0-9._-]+/g, "-")}`;
    download(zipModel(files, dir), `${dir}.zip`);
  }

  private async loadModel(input: HTMLInputElement): Promise<void> {
    if (!input.files || input.files.length === 0) return;
    const { files, source } = await readModelFiles(input.files);
    input.value = "";
    const info = await this.engine.request("loadLm", { files, source });
    this.model = info;
    this.chart.clear();
    byId("model-info").textContent = this.describe(info);
    setStatus(this.status, `loaded ${source}: Generate, or Resume to train it on the text`);
    this.setPhase("idle");
  }
}
