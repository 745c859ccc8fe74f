/**
 * The few DOM helpers the demo's tabs share: elements by id (an error names a missing one),
 * number inputs, and a status line that shows errors in red.
 *
 * @example
 * const button = byId<HTMLButtonElement>("train");
 * setStatus(byId("status"), "training…");
 */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** The value of an <input> or <select> as a number; an error names the field. */
export function numberOf(id: string): number {
  const el = byId<HTMLInputElement | HTMLSelectElement>(id);
  const v = Number(el.value);
  if (!Number.isFinite(v))
    throw new Error(`${el.name || id}: expected a number, got "${el.value}"`);
  return v;
}

export function setStatus(el: HTMLElement, text: string, error = false): void {
  el.textContent = text;
  el.classList.toggle("error", error);
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Runs `f`, showing its error (sync or async) in `status`. */
export async function guarded(status: HTMLElement, f: () => Promise<void> | void): Promise<void> {
  try {
    await f();
  } catch (e) {
    setStatus(status, (e as Error).message, true);
  }
}
