/**
 * Row gather and scatter-add (embedding lookups and their gradients): out[r, :] = x[index[r], :]
 * and dx[index[r], :] += dy[r, :], `index` int32. Rows are processed in order and each element
 * gets one float32 add, exactly as the reference does, so results are bit-identical.
 */

/** out[r, :] = x[index[r], :] for r < n, rows of `width` floats. */
export function gatherRows(x: usize, width: i32, index: usize, n: i32, out: usize): void {
  const bytes = <usize>width << 2;
  const vec = <usize>(width & ~3) << 2;
  for (let r = 0; r < n; r++) {
    const src = x + <usize>load<i32>(index + (<usize>r << 2)) * bytes;
    const dst = out + <usize>r * bytes;
    let j: usize = 0;
    for (; j < vec; j += 16) v128.store(dst + j, v128.load(src + j));
    for (; j < bytes; j += 4) store<f32>(dst + j, load<f32>(src + j));
  }
}

/** dx[index[r], :] += dy[r, :] for r < n. */
export function scatterAddRows(dy: usize, width: i32, index: usize, n: i32, dx: usize): void {
  const bytes = <usize>width << 2;
  const vec = <usize>(width & ~3) << 2;
  for (let r = 0; r < n; r++) {
    const dst = dx + <usize>load<i32>(index + (<usize>r << 2)) * bytes;
    const src = dy + <usize>r * bytes;
    let j: usize = 0;
    for (; j < vec; j += 16) v128.store(dst + j, f32x4.add(v128.load(dst + j), v128.load(src + j)));
    for (; j < bytes; j += 4) store<f32>(dst + j, load<f32>(dst + j) + load<f32>(src + j));
  }
}
