/** Bias kernels over row-major [rows, cols]: out[i, :] += bias and dBias += Σ_i dy[i, :]. */

export function addRowVector(out: usize, bias: usize, rows: i32, cols: i32): void {
  const bytes = <usize>cols << 2;
  const vec = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const o = out + <usize>r * bytes;
    let j: usize = 0;
    for (; j < vec; j += 16) v128.store(o + j, f32x4.add(v128.load(o + j), v128.load(bias + j)));
    for (; j < bytes; j += 4) store<f32>(o + j, load<f32>(o + j) + load<f32>(bias + j));
  }
}

/** Row by row in the reference's order, so the float32 result is bit-identical. */
export function sumRows(dy: usize, rows: i32, cols: i32, dBias: usize): void {
  const bytes = <usize>cols << 2;
  const vec = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const o = dy + <usize>r * bytes;
    let j: usize = 0;
    for (; j < vec; j += 16) v128.store(dBias + j, f32x4.add(v128.load(dBias + j), v128.load(o + j)));
    for (; j < bytes; j += 4) store<f32>(dBias + j, load<f32>(dBias + j) + load<f32>(o + j));
  }
}
