/**
 * `npm run bench`: the standard workloads W1–W6 (bench/workloads.ts) on recurrent and, when
 * /usr/bin/python3 can import torch, on PyTorch (bench/pytorch_bench.py, one long-lived process)
 * in the same run. Prints throughputs, the ratio recurrent/PyTorch per workload and their geometric
 * mean over W1–W5, and the same against the PyTorch figures issue 5 measured with MKL-DNN (the
 * "issue ref" column). Debian's torch calls the system's libblas.so.3 (netlib's reference unless
 * libopenblas0-pthread is installed); the header says which. Writes machine info and every figure
 * to bench/results.json.
 *
 * Measurement: each side is warmed up (≥ 2 steps and ≥ 1 s for us, so the JIT tiers up), then
 * timed in rounds that alternate recurrent, torch at 1 thread, torch at 2 threads, so machine noise
 * hits all three alike; each sample starts once the PyTorch process is idle (`Torch.quiet`). A
 * sample is enough repetitions to last ≥ 0.25 s; a workload gets as many rounds (3–7) as fit in
 * ~20 s; the figure is the median sample. PyTorch's figure is its better thread setting
 * (torch.set_num_threads 1 or 2), recorded per workload; a setting found 1.5× slower than the
 * other after a round is dropped from later rounds.
 *
 * Napkin math per workload: bench/workloads.ts. A full run takes ~2–3 min on 2 cores.
 *
 * Run: npm run bench [-- --quick] [--only W2,W6] [--backend reference|wasm] [--no-torch]
 *                    [--out bench/results.json]
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { backend, setBackend, type BackendName } from "../src/backend/registry.js";
import { workloads, type Workload } from "./workloads.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    backend: { type: "string" },
    "no-torch": { type: "boolean", default: false },
    out: { type: "string", default: "bench/results.json" },
  },
});
const quick = values.quick;
const timing = quick
  ? { warmSeconds: 0.1, sampleSeconds: 0.05, budgetSeconds: 0, minRounds: 1, maxRounds: 1 }
  : { warmSeconds: 1, sampleSeconds: 0.25, budgetSeconds: 20, minRounds: 3, maxRounds: 7 };
const torchThreads = [1, 2];

if (values.backend !== undefined) setBackend(values.backend as BackendName);
const only = values.only?.split(",").map((s) => s.trim().toUpperCase());
const selected = workloads.filter(
  (w) => !only || only.some((o) => w.id.toUpperCase() === o || w.id.split("-")[0] === o),
);
if (selected.length === 0) throw new Error(`bench: --only ${values.only} matches no workload`);

type Reply = Record<string, unknown> & { error?: string };

/** bench/pytorch_bench.py: one JSON command per line in, one JSON reply per line out. */
class Torch {
  private readonly pending: ((r: Reply) => void)[] = [];

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: child.stdout }).on("line", (line) =>
      this.pending.shift()?.(JSON.parse(line)),
    );
    const fail = (why: string) => {
      for (const resolve of this.pending.splice(0)) resolve({ error: why });
    };
    child.on("error", (e) => fail(e.message));
    child.stdin.on("error", (e) => fail(e.message));
    child.on("exit", (code) => fail(`pytorch_bench.py exited with code ${code}`));
  }

  /** Starts the process; null (with the reason printed) where torch is not importable. */
  static async start(): Promise<{ torch: Torch; hello: Reply } | null> {
    const child = spawn("/usr/bin/python3", ["bench/pytorch_bench.py"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const torch = new Torch(child);
    const hello = await torch.send({ cmd: "hello" });
    if (hello.error === undefined) return { torch, hello };
    console.log(`PyTorch side skipped: ${hello.error.split("\n")[0]}`);
    child.kill();
    return null;
  }

  send(msg: object): Promise<Reply> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }

  async ask(msg: object): Promise<Reply> {
    const reply = await this.send(msg);
    if (reply.error !== undefined) throw new Error(`pytorch_bench.py: ${reply.error}`);
    return reply;
  }

  close(): void {
    this.child.stdin.end(`${JSON.stringify({ cmd: "quit" })}\n`);
  }

  /** CPU seconds the PyTorch process has used (Linux /proc), or null where unknown. */
  private cpuSeconds(): number | null {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  }

  /**
   * Waits until the PyTorch process has used no CPU for QUIET_MS (at most 1 s), so every sample
   * starts on an idle machine. OpenBLAS's threads spin (yielding) for ~0.1 s after each call before
   * they sleep, a core's worth of CPU at the start of the sample that follows. Here the effect is
   * within the machine's noise, since a yielding thread gives the core up. Where /proc is
   * missing, a fixed pause of 150 ms.
   */
  async quiet(): Promise<void> {
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    let last = this.cpuSeconds();
    if (last === null) return sleep(150);
    for (let waited = 0; waited < 1000; waited += QUIET_MS) {
      await sleep(QUIET_MS);
      const now = this.cpuSeconds();
      if (now === null || now === last) return;
      last = now;
    }
  }
}

/** Clock ticks are 10 ms: two ticks without CPU time means the process is idle. */
const QUIET_MS = 20;

/** Seconds per step, timed over `reps` steps. */
type Sampler = (reps: number) => Promise<number>;

interface Side {
  /** PyTorch's thread setting; null for recurrent. */
  threads: number | null;
  sample: Sampler;
  /** Steps per sample, so one sample lasts ≥ timing.sampleSeconds. */
  reps: number;
  estimate: number;
  samples: number[];
}

function checkFinite(where: string, v: unknown): void {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new Error(`bench: ${where} gave a non-finite value ${String(v)}`);
}

/**
 * Runs ≥ minSteps steps and until `spent` (seconds already spent warming up) reaches
 * timing.warmSeconds; returns a side whose estimate is the last step's time (else `estimate`).
 */
async function warmSide(
  threads: number | null,
  sample: Sampler,
  minSteps: number,
  spent: number,
  estimate: number,
): Promise<Side> {
  for (let n = 0; n < minSteps || spent < timing.warmSeconds; n++) {
    estimate = await sample(1);
    spent += estimate;
  }
  const reps = Math.max(1, Math.ceil(timing.sampleSeconds / estimate));
  return { threads, sample, reps, estimate, samples: [] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A torch setting 1.5× slower than another after a round is not timed further (W2 takes 10 s). */
function clearlySlower(side: Side, sides: Side[]): boolean {
  if (side.threads === null || side.samples.length === 0) return false;
  const others = sides.filter((s) => s !== side && s.threads !== null && s.samples.length > 0);
  return others.some((o) => median(side.samples) > 1.5 * median(o.samples));
}

async function measure(w: Workload, torch: Torch | null) {
  const ours = w.build(w.config);
  const oursSample: Sampler = async (reps) => {
    let v = 0;
    const start = performance.now();
    for (let i = 0; i < reps; i++) v = ours.step();
    const seconds = (performance.now() - start) / 1000;
    checkFinite(`recurrent ${w.id}`, v);
    return seconds / reps;
  };
  const sides = [await warmSide(null, oursSample, 2, 0, Infinity)];

  if (torch) {
    const built = await torch.ask({ cmd: "build", id: w.id, config: w.config });
    checkFinite(`PyTorch ${w.id}`, built.value);
    if (built.params !== ours.params) {
      throw new Error(
        `bench: ${w.id} has ${ours.params} parameters in recurrent, ${built.params} in PyTorch`,
      );
    }
    const buildSeconds = built.seconds as number;
    for (const threads of torchThreads) {
      const sample: Sampler = async (reps) => {
        const r = await torch.ask({ cmd: "time", threads, reps });
        checkFinite(`PyTorch ${w.id}`, r.value);
        return (r.seconds as number) / reps;
      };
      // The build ran one step already; a setting needs no more warm-up than that long step.
      sides.push(await warmSide(threads, sample, 0, buildSeconds, buildSeconds));
    }
  }

  const roundSeconds = sides.reduce((s, side) => s + side.reps * side.estimate, 0);
  const fit = Math.floor(timing.budgetSeconds / roundSeconds);
  const rounds = Math.min(timing.maxRounds, Math.max(timing.minRounds, fit));
  for (let r = 0; r < rounds; r++) {
    // Alternate which torch setting goes first, so neither always follows our run.
    const order = r % 2 === 0 ? sides : [sides[0], ...sides.slice(1).reverse()];
    for (const side of order) {
      if (clearlySlower(side, sides)) continue;
      await torch?.quiet();
      side.samples.push(await side.sample(side.reps));
    }
  }
  return { params: ours.params, perStep: ours.perStep, sides };
}

function fmt(x: number | null): string {
  if (x === null) return "—";
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function row(cells: string[]): void {
  const widths = [8, 31, 10, 10, 10, 4, 7, 8, 7];
  console.log(cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" "));
}

const loadStart = loadavg();
const started = values["no-torch"] ? null : await Torch.start();
const torch = started?.torch ?? null;
const hello = started?.hello;
const backendName = backend().name;
console.log(
  `recurrent (${backendName} backend, node ${process.version}, ${cpus().length} CPUs, load ${loadStart[0].toFixed(2)})` +
    (hello
      ? ` vs PyTorch ${hello.torch} (BLAS ${hello.blas}: ${hello.blasLibrary}, mkldnn ${hello.mkldnn}, best of ` +
        `${torchThreads.join(" or ")} threads)`
      : "") +
    (quick ? "; --quick: one round, figures are rough" : ""),
);
row(["id", "workload", "unit", "recurrent", "PyTorch", "thr", "ratio", "issue ref", "vs ref"]);

const results: Record<string, unknown> = {};
const threadsUsed: Record<string, number | null> = {};
const ratios: number[] = [];
const refRatios: number[] = [];
try {
  for (const w of selected) {
    const { params, perStep, sides } = await measure(w, torch);
    const figures = sides.map((side) => {
      const seconds = median(side.samples);
      return { side, seconds, perSecond: perStep / seconds };
    });
    const ours = figures[0];
    const best = figures
      .slice(1)
      .reduce<(typeof figures)[number] | null>(
        (b, f) => (b === null || f.perSecond > b.perSecond ? f : b),
        null,
      );
    const ratio = best ? ours.perSecond / best.perSecond : null;
    if (ratio !== null && /^W[1-5]/.test(w.id)) ratios.push(ratio);
    const refRatio = w.reference ? ours.perSecond / w.reference : null;
    if (refRatio !== null && /^W[1-5]/.test(w.id)) refRatios.push(refRatio);
    threadsUsed[w.id] = best?.side.threads ?? null;
    row([
      w.id,
      w.what,
      w.unit,
      fmt(ours.perSecond),
      fmt(best?.perSecond ?? null),
      best ? String(best.side.threads) : "",
      ratio === null ? "—" : `${ratio.toFixed(2)}×`,
      w.reference ? fmt(w.reference) : "—",
      refRatio === null ? "—" : `${refRatio.toFixed(2)}×`,
    ]);
    const figure = (f: (typeof figures)[number]) => ({
      perSecond: f.perSecond,
      msPerStep: f.seconds * 1000,
      stepsPerSample: f.side.reps,
      sampleMsPerStep: f.side.samples.map((s) => +(s * 1000).toPrecision(4)),
    });
    results[w.id] = {
      what: w.what,
      unit: w.unit,
      unitsPerStep: perStep,
      config: w.config,
      params,
      recurrent: figure(ours),
      pytorch: best && {
        ...figure(best),
        threads: best.side.threads,
        byThreads: Object.fromEntries(figures.slice(1).map((f) => [f.side.threads, figure(f)])),
      },
      ratio,
      issueReference: w.reference ?? null,
      ratioToIssueReference: refRatio,
    };
  }
} finally {
  torch?.close();
}

const geometricMean = (rs: number[]): number | null =>
  rs.length ? Math.exp(rs.reduce((s, r) => s + Math.log(r), 0) / rs.length) : null;
const geomean = geometricMean(ratios);
const refGeomean = geometricMean(refRatios);
if (geomean !== null)
  console.log(
    `geometric mean of ratios recurrent/PyTorch over W1–W5 (${ratios.length} rows): ${geomean.toFixed(2)}×`,
  );
if (refGeomean !== null)
  console.log(
    `geometric mean of ratios recurrent/issue reference over W1–W5 (${refRatios.length} rows): ${refGeomean.toFixed(2)}×`,
  );

const report = {
  date: new Date().toISOString(),
  options: { quick, only: only ?? null, timing },
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    backend: backendName,
    loadAverage1m: { start: loadStart[0], end: loadavg()[0] },
    torch: hello
      ? {
          version: hello.torch,
          blas: hello.blas,
          blasLibrary: hello.blasLibrary,
          mkldnn: hello.mkldnn,
          defaultThreads: hello.defaultThreads,
          blasThreadsFollow: hello.blasThreadsFollow,
          threads: `best of ${torchThreads.join(" and ")} (torch.set_num_threads) per workload`,
          threadsUsed,
        }
      : null,
  },
  workloads: results,
  geomeanRatioW1toW5: geomean,
  geomeanRatioToIssueReferenceW1toW5: refGeomean,
};
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${values.out}`);
