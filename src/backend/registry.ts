import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference/index.js";
import { WasmBackend } from "./wasm/backend.js";
import { pickFlavour } from "./wasm/module.js";

/** A backend by name: "wasm" (WebAssembly SIMD kernels) or "reference" (plain TypeScript). */
export type BackendName = "wasm" | "reference";

let wasm: WasmBackend | null = null;

/** True where this runtime can compile the SIMD kernels (WebAssembly.validate on their bytes). */
export function wasmSupported(): boolean {
  return pickFlavour() !== null;
}

function wasmBackend(): WasmBackend {
  wasm ??= new WasmBackend();
  return wasm;
}

function resolve(next: Backend | BackendName): Backend {
  if (typeof next !== "string") return next;
  if (next === "reference") return referenceBackend;
  if (next === "wasm") {
    if (!wasmSupported())
      throw new Error("setBackend: this runtime cannot compile WebAssembly SIMD");
    return wasmBackend();
  }
  throw new Error(`setBackend: expected "wasm", "reference" or a Backend, got ${String(next)}`);
}

/**
 * The default: RECURRENT_BACKEND ("wasm" or "reference") from the environment when set (Node; read
 * without node:*), else wasm wherever the runtime compiles the SIMD kernels, else reference. A
 * runtime that validates the module but refuses to instantiate it synchronously (a browser main
 * thread with a small synchronous-compile limit) also gets reference.
 */
function initial(): Backend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.RECURRENT_BACKEND;
  if (env === "reference" || env === "wasm") return resolve(env);
  if (!wasmSupported()) return referenceBackend;
  try {
    return wasmBackend();
  } catch {
    return referenceBackend;
  }
}

let active: Backend = initial();

/** The backend every op runs on. Only tensor/ and ops/ call this (ARCHITECTURE.md). */
export function backend(): Backend {
  return active;
}

/**
 * Switches the kernels used from now on, by name or as an object; returns the previous backend so
 * tests can restore it.
 */
export function setBackend(next: Backend | BackendName): Backend {
  const previous = active;
  active = resolve(next);
  return previous;
}

/** The name of the backend ops run on now ("wasm" or "reference"), for logs and UIs. */
export function backendName(): string {
  return active.name;
}
