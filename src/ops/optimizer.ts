/**
 * In-place optimizer updates on parameter storage (off the tape). optim/ calls these so that the
 * update of one tensor is one kernel call on any backend.
 */
import type { AdagradOptions, AdamOptions, RmspropOptions, SgdOptions } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import type { Tensor } from "../tensor/tensor.js";

type State = Tensor | null;
const raw = (t: State) => (t ? (t.data as Float32Array) : null);

export function sgdUpdate(p: Tensor, g: Tensor, buf: State, o: SgdOptions): void {
  backend().sgdUpdate(raw(p)!, raw(g)!, raw(buf), o);
}

export function adamUpdate(p: Tensor, g: Tensor, m: Tensor, v: Tensor, vMax: State, o: AdamOptions): void {
  backend().adamUpdate(raw(p)!, raw(g)!, raw(m)!, raw(v)!, raw(vMax), o);
}

export function rmspropUpdate(p: Tensor, g: Tensor, sq: Tensor, gAvg: State, buf: State, o: RmspropOptions): void {
  backend().rmspropUpdate(raw(p)!, raw(g)!, raw(sq)!, raw(gAvg), raw(buf), o);
}

export function adagradUpdate(p: Tensor, g: Tensor, sum: Tensor, o: AdagradOptions): void {
  backend().adagradUpdate(raw(p)!, raw(g)!, raw(sum)!, o);
}

export type { AdagradOptions, AdamOptions, RmspropOptions, SgdOptions };
