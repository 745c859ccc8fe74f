/**
 * The kernel contract. Every kernel works on flat typed arrays (row-major, contiguous unless a
 * stride argument says otherwise) and writes into an `out` array the caller allocated.
 * `reference/` implements it in plain TypeScript and is the oracle; a faster backend must implement
 * every method (a missing kernel is a compile error) and agree with the reference in tests.
 *
 * Naming: `xForward`/`xBackward` pairs; a backward kernel accumulates (`+=`) into its gradient
 * outputs unless it says otherwise, so callers can sum contributions without temporaries.
 *
 * Workspace: a fused op that makes many kernel calls on the same arrays (a recurrent layer, one
 * GEMM and one gate kernel per time step) takes them from `scratch`, which a backend may place
 * where its kernels use them without copies (the wasm backend: its linear memory), and hands
 * them back with `release`. A weight used at every step is prepared once with `packB`.
 */

export type F32 = Float32Array;
export type I32 = Int32Array;

export type UnaryOp =
  "neg" | "exp" | "log" | "tanh" | "sigmoid" | "relu" | "sqrt" | "abs" | "sin" | "cos";

export type BinaryOp =
  "add" | "sub" | "mul" | "div" | "pow" | "max" | "min" | "eq" | "gt" | "lt" | "ge" | "le";

export type ReduceOp = "sum" | "max" | "min";

/** Views a contiguous array as `shape` with `strides` starting at `offset` (strides may be 0 or < 0). */
export interface StridedView {
  offset: number;
  shape: readonly number[];
  strides: readonly number[];
}

/** op(B) [k, n] prepared by `packB` for repeated `gemmPacked` calls; opaque to callers. */
export interface PackedMatrix {
  readonly k: number;
  readonly n: number;
  readonly transB: boolean;
}

export interface Backend {
  readonly name: string;

  // Workspace ------------------------------------------------------------------------------------
  /**
   * A float32 array of n elements that this backend's kernels read and write in place (the wasm
   * backend: a view of its memory; the reference: an ordinary array), zero-filled when `zero`,
   * else of unspecified contents. Internal to fused ops, which `release` it when done (arrays
   * they keep past the call go with a `release` hook on their tape node); never tensor storage.
   */
  scratch(n: number, zero: boolean): F32;
  /** Returns a `scratch` array or a `packB` result; ordinary arrays are ignored. */
  release(x: F32 | PackedMatrix): void;
  /**
   * Zero-filled storage for a tensor that is likely to live long (tensor/ creation functions, so
   * parameters and optimizer state): the wasm backend places large ones in its memory, where its
   * kernels use them without copies, and reclaims that memory once the array is garbage-collected;
   * the reference returns an ordinary array.
   */
  storage(n: number): F32;

  // Elementwise ----------------------------------------------------------------------------------
  /** out[i] = op(x[i]). */
  unaryForward(op: UnaryOp, x: F32, out: F32): void;
  /** dx[i] += dy[i] · op'(x[i]), given y = op(x) so rules can use their result (sigmoid, tanh, exp). */
  unaryBackward(op: UnaryOp, x: F32, y: F32, dy: F32, dx: F32): void;
  /**
   * out = a op b over `shape`, reading each operand through its strides (0 for broadcast dims).
   * Comparison ops write 1 or 0.
   */
  binaryForward(
    op: BinaryOp,
    a: F32,
    aStrides: readonly number[],
    b: F32,
    bStrides: readonly number[],
    out: F32,
    shape: readonly number[],
  ): void;
  /** out[i] = op(x[i], s) or, with `reverse`, op(s, x[i]). */
  scalarForward(op: BinaryOp, x: F32, s: number, reverse: boolean, out: F32): void;
  /** out[i] = min(max(x[i], lo), hi). */
  clampForward(x: F32, lo: number, hi: number, out: F32): void;
  /** out[i] = cond[i] != 0 ? a[i] : b[i], operands read through strides over `shape`. */
  whereForward(
    cond: F32,
    cStrides: readonly number[],
    a: F32,
    aStrides: readonly number[],
    b: F32,
    bStrides: readonly number[],
    out: F32,
    shape: readonly number[],
  ): void;

  // Movement -------------------------------------------------------------------------------------
  /** out (contiguous, `view.shape`) = x read through `view`. Serves permute, expand, narrow, flip. */
  stridedCopy(x: F32 | I32, view: StridedView, out: F32 | I32): void;
  /** dst read through `view` += src (contiguous, `view.shape`). Backward of stridedCopy. */
  stridedAccumulate(src: F32, dst: F32, view: StridedView): void;

  // Reductions -----------------------------------------------------------------------------------
  /** Reduces x viewed as [outer, size, inner] over the middle axis into out [outer, inner]. */
  reduceForward(
    op: ReduceOp,
    x: F32,
    outer: number,
    size: number,
    inner: number,
    out: F32,
    argOut?: I32,
  ): void;
  /** (log-)softmax of x viewed as [outer, size, inner] along the middle axis. */
  softmaxForward(x: F32, outer: number, size: number, inner: number, log: boolean, out: F32): void;
  /** dx += softmax backward, from the saved output y. */
  softmaxBackward(
    y: F32,
    dy: F32,
    outer: number,
    size: number,
    inner: number,
    log: boolean,
    dx: F32,
  ): void;

  // Linear algebra -------------------------------------------------------------------------------
  /**
   * C = alpha · op(A) · op(B) + beta · C, row-major, op(A) is [m, k], op(B) is [k, n].
   * `transA` means A is stored [k, m]; `transB` means B is stored [n, k]. Offsets are in elements.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: F32,
    aOffset: number,
    b: F32,
    bOffset: number,
    beta: number,
    c: F32,
    cOffset: number,
  ): void;
  /** Prepares op(B) [k, n] (B stored [n, k] when `transB`) for many `gemmPacked` calls. */
  packB(transB: boolean, k: number, n: number, b: F32, bOffset: number): PackedMatrix;
  /** C [m, n] = alpha · op(A) · P + beta · C for P = packB(…) [k, n]; as `gemm` otherwise. */
  gemmPacked(
    transA: boolean,
    m: number,
    alpha: number,
    a: F32,
    aOffset: number,
    p: PackedMatrix,
    beta: number,
    c: F32,
    cOffset: number,
  ): void;
  /** out[i, :] += bias for every row of out [rows, cols]. */
  addRowVector(out: F32, bias: F32, rows: number, cols: number): void;
  /** dBias[j] += Σ_i dy[i, j] for dy [rows, cols]. */
  sumRows(dy: F32, rows: number, cols: number, dBias: F32): void;

  /**
   * Softmax cross-entropy of logits x [rows, classes] against int32 class targets (checked by the
   * caller to be in range or ignoreIndex): writes lse[r] = log Σ_c exp x[r, c] and
   * loss[r] = −w[t_r]·(x[r, t_r] − lse[r]), 0 where t_r = ignoreIndex (w = 1 when weight is null).
   */
  crossEntropyForward(
    x: F32,
    rows: number,
    classes: number,
    target: I32,
    weight: F32 | null,
    ignoreIndex: number,
    lse: F32,
    loss: F32,
  ): void;
  /** dx[r, c] += scale·w[t_r]·(exp(x[r, c] − lse[r]) − [c = t_r]), skipping ignored rows. */
  crossEntropyBackward(
    x: F32,
    lse: F32,
    rows: number,
    classes: number,
    target: I32,
    weight: F32 | null,
    ignoreIndex: number,
    scale: number,
    dx: F32,
  ): void;

  // Indexing -------------------------------------------------------------------------------------
  /** out[r, :] = x[index[r], :] for x [n, width]. */
  gatherRows(x: F32, width: number, index: I32, out: F32): void;
  /** dx[index[r], :] += dy[r, :]. */
  scatterAddRows(dy: F32, width: number, index: I32, dx: F32): void;
  /** torch.gather along the middle axis: x [outer, size, inner], index/out [outer, k, inner]. */
  gatherAxis(
    x: F32,
    outer: number,
    size: number,
    inner: number,
    index: I32,
    k: number,
    out: F32,
  ): void;
  /** Backward of gatherAxis: dx[o, index[o, j, i], i] += dy[o, j, i]. */
  scatterAddAxis(
    dy: F32,
    outer: number,
    size: number,
    inner: number,
    index: I32,
    k: number,
    dx: F32,
  ): void;

  // Recurrent gates (one time step for a whole batch; see nn/rnn for the equations) --------------
  /**
   * LSTM, gate order i, f, g, o. `gates` [B, 4H] holds x·Wih + bih + h·Whh + bhh on entry and the
   * activated gates on exit. Writes c [B, H] and m = o · tanh(c) [B, H] (h before any projection).
   */
  lstmGatesForward(gates: F32, cPrev: F32, batch: number, hidden: number, c: F32, m: F32): void;
  /**
   * From dm (grad of m) and dc (grad of c, from the future; updated in place to the grad of cPrev),
   * writes pre-activation gate grads dGates [B, 4H].
   */
  lstmGatesBackward(
    gates: F32,
    cPrev: F32,
    c: F32,
    dm: F32,
    dc: F32,
    batch: number,
    hidden: number,
    dGates: F32,
  ): void;
  /**
   * GRU, gate order r, z, n, reset-after form: n = tanh(xn + r · hn). On entry `gx` [B, 3H] holds
   * x·Wih + bih and `gh` [B, 3H] holds h·Whh + bhh. On exit gx holds the activated r, z, n (gh
   * unchanged). Writes h [B, H].
   */
  gruGatesForward(gx: F32, gh: F32, hPrev: F32, batch: number, hidden: number, h: F32): void;
  /**
   * From dh (grad of h) writes dGx [B, 3H] and dGh [B, 3H] (pre-activation), and adds the direct
   * path z · dh into dhPrev.
   */
  gruGatesBackward(
    gates: F32,
    gh: F32,
    hPrev: F32,
    dh: F32,
    batch: number,
    hidden: number,
    dGx: F32,
    dGh: F32,
    dhPrev: F32,
  ): void;
  /** Elman RNN: h = act(pre) in place over [B, H]. */
  rnnGatesForward(pre: F32, relu: boolean): void;
  /** dPre = dh · act'(h), from the output h. */
  rnnGatesBackward(h: F32, dh: F32, relu: boolean, dPre: F32): void;

  // Optimizer updates, in place on the parameter and its state (algorithms in optim/) -----------
  /** SGD with optional momentum buffer (`buf` null when momentum is 0). */
  sgdUpdate(p: F32, g: F32, buf: F32 | null, o: SgdOptions): void;
  /** Adam/AdamW; `vMax` is the AMSGrad state or null. `step` counts from 1. */
  adamUpdate(p: F32, g: F32, m: F32, v: F32, vMax: F32 | null, o: AdamOptions): void;
  /**
   * adamUpdate with the gradient [p.length / width, width] given as its nonzero rows: `rows`
   * (ascending, unique) and their `values` [rows.length, width]; every other row is 0. The same
   * result as adamUpdate on the dense gradient, bit for bit.
   */
  adamUpdateRows(
    p: F32,
    rows: I32,
    values: F32,
    width: number,
    m: F32,
    v: F32,
    vMax: F32 | null,
    o: AdamOptions,
  ): void;
  /** RMSprop; `gAvg` (centered) and `buf` (momentum) are null when unused. */
  rmspropUpdate(
    p: F32,
    g: F32,
    sq: F32,
    gAvg: F32 | null,
    buf: F32 | null,
    o: RmspropOptions,
  ): void;
  /** Adagrad with the decayed rate `lr` already computed by the caller. */
  adagradUpdate(p: F32, g: F32, sum: F32, o: AdagradOptions): void;
}

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** The momentum buffer is initialised to the gradient on the first step. */
  firstStep: boolean;
  maximize: boolean;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly instead of adding weightDecay · p to the gradient. */
  decoupled: boolean;
  step: number;
  maximize: boolean;
}

export interface RmspropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  maximize: boolean;
}

export interface AdagradOptions {
  lr: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}
