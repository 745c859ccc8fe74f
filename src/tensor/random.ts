/**
 * Seeded random numbers: xoshiro128** (fast, 2^128 period, reproducible on every platform).
 * One global generator drives `rand`, `randn`, initialisation and dropout; `manualSeed` resets it.
 * Streams are reproducible across runs and machines, but are not PyTorch's Mersenne Twister stream:
 * parity tests load PyTorch's weights instead of re-drawing them.
 */

export type GeneratorState = readonly [number, number, number, number];

export class Generator {
  private s = new Uint32Array(4);

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Seeds the state with splitmix32 so that nearby seeds give unrelated streams. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed))
      throw new Error(`manualSeed: expected a finite number, got ${seed}`);
    let x = (Math.trunc(seed) >>> 0) ^ Math.trunc(seed / 2 ** 32);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    return this;
  }

  getState(): GeneratorState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  setState(state: GeneratorState): void {
    if (state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new Error(
        `Generator.setState: expected 4 unsigned 32-bit integers, got ${JSON.stringify(state)}`,
      );
    }
    this.s.set(state);
  }

  /** Next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits, so every value is exact in float32. */
  uniform(): number {
    return (this.nextUint32() >>> 8) * 2 ** -24;
  }

  /** Standard normal by the Box–Muller transform. */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export const defaultGenerator = new Generator(0);

/** Seeds the global generator (like `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}

export function getRngState(): GeneratorState {
  return defaultGenerator.getState();
}

export function setRngState(state: GeneratorState): void {
  defaultGenerator.setState(state);
}
