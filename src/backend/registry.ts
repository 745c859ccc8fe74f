import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference/index.js";

let active: Backend = referenceBackend;

/** The backend every op runs on. Only tensor/ and ops/ call this (ARCHITECTURE.md). */
export function backend(): Backend {
  return active;
}

/** Switches the kernels used from now on; returns the previous backend so tests can restore it. */
export function setBackend(next: Backend): Backend {
  const previous = active;
  active = next;
  return previous;
}
