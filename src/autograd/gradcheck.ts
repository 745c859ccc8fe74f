/**
 * Finite-difference gradient check. The output is projected onto fixed random weights R, so one
 * scalar L = Σ out·R (accumulated in float64) exercises the whole vector–Jacobian product. In
 * "full" mode every input element is perturbed; in "directional" mode (for long sequences, as
 * JAX's check_grads does) one random direction v per input is compared: ⟨∇L, v⟩ against
 * (L(x + εv) − L(x − εv)) / 2ε. Storage is float32, so ε and the tolerances are float32-sized.
 */
import { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "./tape.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  mode?: "full" | "directional";
  seed?: number;
  /** Throw with a description of the worst mismatch (default true). */
  raise?: boolean;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic − numeric| − rtol·|numeric| seen (≤ atol when ok). */
  worst: number;
  message: string;
}

export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | Tensor[],
  inputs: Tensor[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const {
    eps = 1e-3,
    atol = 1e-2,
    rtol = 1e-2,
    mode = "full",
    seed = 1234,
    raise = true,
  } = options;
  const gen = new Generator(seed);
  const outputs = () => {
    const o = fn(...inputs);
    return Array.isArray(o) ? o : [o];
  };
  const first = noGrad(outputs);
  const weights = first.map((o) => Float64Array.from({ length: o.numel() }, () => gen.normal()));
  const loss = (): number =>
    noGrad(() =>
      outputs().reduce((acc, o, k) => {
        for (let i = 0; i < o.data.length; i++) acc += o.data[i] * weights[k][i];
        return acc;
      }, 0),
    );

  for (const x of inputs) x.grad = null;
  const outs = outputs();
  const projected = outs.map((o, k) =>
    o.mul(new Tensor(Float32Array.from(weights[k]), o.shape)).sum(),
  );
  projected.reduce((a, b) => a.add(b)).backward();

  let worst = -Infinity;
  let message = "ok";
  const compare = (analytic: number, numeric: number, where: string) => {
    const excess = Math.abs(analytic - numeric) - rtol * Math.abs(numeric);
    if (excess > worst) {
      worst = excess;
      if (excess > atol) message = `${where}: analytic ${analytic} vs numeric ${numeric}`;
    }
  };
  inputs.forEach((x, n) => {
    if (!x.requiresGrad) return;
    const data = x.data as Float32Array;
    const grad = x.grad ? (x.grad.data as Float32Array) : new Float32Array(data.length);
    if (mode === "full") {
      for (let i = 0; i < data.length; i++) {
        const keep = data[i];
        data[i] = keep + eps;
        const up = loss();
        data[i] = keep - eps;
        const down = loss();
        data[i] = keep;
        compare(grad[i], (up - down) / (2 * eps), `input ${n}, element ${i}`);
      }
    } else {
      const v = Float32Array.from({ length: data.length }, () => gen.normal());
      const keep = Float32Array.from(data);
      const shift = (sign: number) =>
        data.forEach((_, i) => (data[i] = keep[i] + sign * eps * v[i]));
      shift(1);
      const up = loss();
      shift(-1);
      const down = loss();
      data.set(keep);
      const analytic = grad.reduce((s, gi, i) => s + gi * v[i], 0);
      compare(analytic, (up - down) / (2 * eps), `input ${n}, random direction`);
    }
  });
  const ok = worst <= atol;
  if (!ok && raise)
    throw new Error(
      `gradcheck failed: ${message} (excess ${worst.toExponential(3)} > atol ${atol})`,
    );
  return { ok, worst, message };
}
