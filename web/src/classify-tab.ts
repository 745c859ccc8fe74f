/**
 * The "Classify" tab: load a model directory written by `recurrent train classify` (its .zip, or
 * config.json + vocab.json + model.safetensors picked together), type texts one per line, and see
 * each one's class with a bar per class probability.
 *
 * @example
 * new ClassifyTab(engine, demo);   // wires the elements of #panel-classify in index.html
 */
import { byId, formatInt, guarded, setStatus } from "./dom.js";
import type { Engine } from "./engine.js";
import type { DemoState } from "./main.js";
import { readModelFiles } from "./model-files.js";
import type { ClassifierInfo, PredictionRow } from "./protocol.js";

export class ClassifyTab {
  private readonly status = byId("classify-status");
  private info: ClassifierInfo | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly demo: DemoState,
  ) {
    byId<HTMLInputElement>("load-classifier").addEventListener("change", (e) =>
      guarded(this.status, () => this.load(e.target as HTMLInputElement)),
    );
    byId("classify").addEventListener("click", () => guarded(this.status, () => this.classify()));
    byId<HTMLButtonElement>("classify").disabled = true;
  }

  private async load(input: HTMLInputElement): Promise<void> {
    if (!input.files || input.files.length === 0) return;
    const { files, source } = await readModelFiles(input.files);
    input.value = "";
    setStatus(this.status, `loading ${source}…`);
    const info = await this.engine.request("loadClassifier", { files, source });
    this.info = info;
    byId("classifier-info").textContent =
      `${info.bidirectional ? "bi" : ""}${info.cell.toUpperCase()} ${info.hiddenSize}, ${info.pooling} pooling, ` +
      `vocabulary ${formatInt(info.vocabSize)}, ${formatInt(info.parameters)} parameters; classes: ${info.classes.join(", ")}`;
    byId<HTMLButtonElement>("classify").disabled = false;
    setStatus(this.status, `loaded ${source}`);
  }

  private async classify(): Promise<void> {
    const texts = byId<HTMLTextAreaElement>("classify-texts")
      .value.split("\n")
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
    if (texts.length === 0) throw new Error("type one or more texts, one per line");
    const rows = await this.engine.request("classify", { texts });
    this.show(texts, rows);
    this.demo.predictions = rows.map((r) => r.label);
    setStatus(this.status, `${texts.length} text${texts.length === 1 ? "" : "s"} classified`);
  }

  private show(texts: string[], rows: PredictionRow[]): void {
    const table = byId("predictions");
    table.replaceChildren();
    rows.forEach((row, i) => {
      const tr = document.createElement("div");
      tr.className = "prediction";
      const text = document.createElement("div");
      text.className = "prediction-text";
      text.textContent = texts[i];
      const label = document.createElement("div");
      label.className = "prediction-label";
      label.textContent = row.label;
      const bars = document.createElement("div");
      bars.className = "bars";
      for (const c of this.info?.classes ?? Object.keys(row.probabilities)) {
        const p = row.probabilities[c] ?? 0;
        const bar = document.createElement("div");
        bar.className = "bar";
        bar.innerHTML = `<span class="bar-name"></span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value"></span>`;
        bar.querySelector<HTMLElement>(".bar-name")!.textContent = c;
        bar.querySelector<HTMLElement>(".bar-fill")!.style.width = `${(p * 100).toFixed(1)}%`;
        bar.querySelector<HTMLElement>(".bar-value")!.textContent = p.toFixed(3);
        bars.append(bar);
      }
      tr.append(text, label, bars);
      table.append(tr);
    });
  }
}
