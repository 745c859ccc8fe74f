/**
 * Running the CLI as child processes for the reliability tests, fast enough to do it hundreds of
 * times: the CLI is bundled once per test process with esbuild (node then starts it in ~0.4 s
 * instead of ~1 s through tsx), and each run is an async child that a test can watch (stderr
 * text, files appearing), signal or kill at any moment.
 *
 * The bundle lives under node_modules/.cache so that its bare imports (commander, vega, the
 * dataset packages) resolve as they do for src/; it is the same code as src/cli/bin.ts.
 *
 * @example
 * const cli = await bundleCli();
 * const run = startCli(cli, ["train", "lm", ...tiny, "--out", dir]);
 * await run.waitForStderr(/train lm:/);
 * run.kill("SIGKILL");
 * const { code, signal } = await run.exited;
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const CACHE = "node_modules/.cache/recurrent-reliability";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Output so far. */
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<Exit>;
  /** Resolves once stderr matches (rejects if the process exits first). */
  waitForStderr(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

let bundled: Promise<string> | null = null;

/** Bundles src/cli/bin.ts once per process; returns the path of the bundle. */
export function bundleCli(): Promise<string> {
  bundled ??= (async () => {
    mkdirSync(CACHE, { recursive: true });
    const outfile = join(CACHE, `cli-${process.pid}.mjs`);
    await build({
      entryPoints: ["src/cli/bin.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      outfile,
      logLevel: "warning",
    });
    process.once("exit", () => rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundled;
}

/** Deterministic single-threaded runs unless the caller says otherwise. */
export const cliEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  RECURRENT_THREADS: "1",
  ...extra,
});

/** Starts `node bundle args…` (see the file header). */
export function startCli(
  bundle: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = cliEnv(),
): CliRun {
  const child = spawn(process.execPath, [bundle, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let done = false;
  const watchers: { pattern: RegExp; resolve(): void; reject(e: Error): void }[] = [];
  const check = (): void => {
    for (let i = watchers.length - 1; i >= 0; i--) {
      if (watchers[i].pattern.test(stderr)) watchers.splice(i, 1)[0].resolve();
    }
  };
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
    check();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on("close", (code, signal) => {
      done = true;
      check();
      for (const w of watchers.splice(0))
        w.reject(new Error(`exited (${code ?? signal}) before stderr matched ${w.pattern}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForStderr(pattern) {
      if (pattern.test(stderr)) return Promise.resolve();
      if (done) return Promise.reject(new Error(`exited before stderr matched ${pattern}`));
      return new Promise((resolve, reject) => watchers.push({ pattern, resolve, reject }));
    },
    kill(signal) {
      if (!done) child.kill(signal);
    },
  };
}

/** Runs to the end. */
export function runCli(
  bundle: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<Exit> {
  return startCli(bundle, args, env).exited;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `path` exists (false if `run` exits first or `timeoutMs` passes). */
export async function waitForFile(path: string, run: CliRun, timeoutMs = 20000): Promise<boolean> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(path)) return true;
    if (exited) return existsSync(path);
    await sleep(5);
  }
  return false;
}

/** mulberry32: a small seeded generator for the tests' random choices. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
