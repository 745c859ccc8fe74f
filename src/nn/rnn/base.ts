/**
 * The sequence runner shared by RNN, LSTM and GRU: parameters in PyTorch's order and names,
 * option and shape validation, and the loop over layers × directions. Each layer and direction is
 * ONE fused tape node (ops/recurrent.ts `recurrentLayer`); nothing here builds per-step graphs.
 *
 * Data inside the runner is time-major and packed (PyTorch's `batch_sizes` scheme): `data` is
 * [N, I] with N = Σ batchSizes, step t owning rows offsets[t]..offsets[t] + batchSizes[t], batch
 * sizes non-increasing. A padded [T, B, I] input is batchSizes = [B, B, …] and a free reshape.
 *
 *   layer l, direction d (0 forward, 1 reverse, which runs from the last step to the first):
 *     out_l,d, hN_l,d (, cN_l,d) = recurrentLayer(in_l, h0[l·D + d] (, c0[l·D + d]))
 *     in_{l+1} = dropout(cat(out_l,0, out_l,1), p)     (between layers, training mode only)
 *   output = in_L [N, D·P];  hN = stack(hN_l,d) [L·D, B, P];  cN [L·D, B, H] (LSTM)
 *
 * with D = 2 when bidirectional, P = projSize (LSTM) or H. Parameters per layer and direction:
 * weight_ih_l{l}{_reverse} [G·H, I or D·P], weight_hh [G·H, P], bias_ih, bias_hh [G·H],
 * weight_hr [P, H] (LSTM with projSize), every one initialised U(−1/√H, 1/√H).
 *
 * Entry points: `forward` (subclasses) takes a padded Tensor or a utils.rnn PackedSequence (and
 * returns the same kind). A PackedSequence's rows go to the runner as they are; h0/c0 come in the
 * caller's batch order and are permuted into sorted order by sortedIndices, hN/cN back by
 * unsortedIndices (PyTorch's `permute_hidden`), so hN[:, b] is sequence b's state at its own last
 * step (at its first step for the reverse direction, which starts at the true end).
 * `forwardPacked(data, batchSizes, h0, c0)` is the raw packed runner, states in sorted order.
 */
import { indexSelect } from "../../ops/indexing.js";
import { recurrentLayer, type RecurrentMode } from "../../ops/recurrent.js";
import { cat, reshape, select, squeeze, stack, transpose, unsqueeze } from "../../ops/movement.js";
import { zeros } from "../../tensor/creation.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { PackedSequence } from "../../utils/rnn/packed-sequence.js";
import { dropout as dropoutFn } from "../functional/dropout.js";
import { uniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkSize, type Nonlinearity } from "./cells.js";

export interface RNNBaseOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Adds bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output are [B, T, ·] instead of [T, B, ·] (hN never is). Default false. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Adds a reverse direction, concatenated along features (default false). */
  bidirectional?: boolean;
}

/** The options of every kind, so that a bad mix (projSize on a GRU) is reported, not ignored. */
export interface AnyRNNOptions extends RNNBaseOptions {
  nonlinearity?: Nonlinearity;
  projSize?: number;
}

/** The result of `run`: output of the input's kind, final states in the caller's batch order. */
export interface SequenceResult<Out extends Tensor | PackedSequence> {
  output: Out;
  hN: Tensor;
  cN: Tensor | null;
}

/** The result of the runner on packed rows. */
export interface RecurrentResult {
  /** [N, D·P] packed like the input. */
  output: Tensor;
  /** [L·D, B, P] */
  hN: Tensor;
  /** [L·D, B, H] (LSTM only) */
  cN: Tensor | null;
}

interface LayerWeights {
  wIh: Parameter;
  wHh: Parameter;
  bIh: Parameter | null;
  bHh: Parameter | null;
  wHr: Parameter | null;
}

const GATES: Record<RecurrentMode, number> = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 };

/** Python's repr of a float, which PyTorch's module repr prints (1 → 1.0, 5e-5 → 5e-05). */
function pyFloat(x: number): string {
  if (Number.isInteger(x)) return x.toFixed(1);
  if (Math.abs(x) < 1e-4) return x.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  return String(x);
}

export abstract class RNNBase extends Module {
  readonly mode: RecurrentMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** LSTM projection size; 0 when not projecting. */
  readonly projSize: number;
  private readonly _weights: LayerWeights[] = []; // index l·D + d

  constructor(
    protected readonly layerName: string,
    mode: RecurrentMode,
    options: AnyRNNOptions,
  ) {
    super();
    const name = layerName;
    if (typeof options !== "object" || options === null) {
      throw new Error(`${name}: expected an options object { inputSize, hiddenSize, ... }`);
    }
    this.mode = mode;
    this.inputSize = checkSize(name, "inputSize", options.inputSize);
    this.hiddenSize = checkSize(name, "hiddenSize", options.hiddenSize);
    this.numLayers = checkSize(name, "numLayers", options.numLayers ?? 1);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.bidirectional = options.bidirectional ?? false;
    const p = options.dropout ?? 0;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new Error(`${name}: dropout should be a number in range [0, 1], got ${String(p)}`);
    }
    this.dropout = p;
    const proj = options.projSize ?? 0;
    if (proj !== 0 && mode !== "lstm") {
      throw new Error(`${name}: projSize is only supported for LSTM, not RNN or GRU`);
    }
    if (typeof proj !== "number" || !Number.isInteger(proj) || proj < 0) {
      throw new Error(
        `${name}: projSize should be a positive integer or zero to disable projections, got ${String(proj)}`,
      );
    }
    if (proj >= this.hiddenSize) {
      throw new Error(
        `${name}: projSize has to be smaller than hiddenSize, got projSize ${proj} and hiddenSize ${this.hiddenSize}`,
      );
    }
    this.projSize = proj;
    if (p > 0 && this.numLayers === 1) {
      console.warn(
        `${name}: dropout option adds dropout after all but last recurrent layer, so non-zero dropout ` +
          `expects numLayers greater than 1, but got dropout=${p} and numLayers=1`,
      );
    }

    const G = GATES[mode];
    const H = this.hiddenSize;
    const P = this.outSize;
    const D = this.numDirections;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const layerIn = l === 0 ? this.inputSize : P * D;
        const param = (key: string, shape: number[]) =>
          this.registerParameter(key + sfx, new Parameter(zeros(shape)))!;
        this._weights.push({
          wIh: param("weight_ih", [G * H, layerIn]),
          wHh: param("weight_hh", [G * H, P]),
          bIh: this.bias ? param("bias_ih", [G * H]) : null,
          bHh: this.bias ? param("bias_hh", [G * H]) : null,
          wHr: proj > 0 ? param("weight_hr", [P, H]) : null,
        });
      }
    }
    this.resetParameters();
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of the hidden state and of each direction's output: projSize, or hiddenSize. */
  get outSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** PyTorch's reset_parameters: every parameter U(−1/√H, 1/√H), in state-dict order. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -bound, bound);
  }

  /** Dispatches on the input's kind: padded Tensor or PackedSequence. */
  protected run<In extends Tensor | PackedSequence>(
    input: In,
    h0?: Tensor,
    c0?: Tensor,
  ): SequenceResult<In> {
    const r =
      input instanceof PackedSequence
        ? this.runPackedSequence(input, h0, c0)
        : this.runPadded(input as Tensor, h0, c0);
    return r as SequenceResult<In>;
  }

  /**
   * Runs a PackedSequence (data [N, I]) with h0 [L·D, B, P] / c0 [L·D, B, H] in the caller's
   * batch order; returns a PackedSequence with the input's batch structure and hN/cN in the
   * caller's order.
   */
  protected runPackedSequence(
    input: PackedSequence,
    h0?: Tensor | null,
    c0?: Tensor | null,
  ): SequenceResult<PackedSequence> {
    const LD = this.numLayers * this.numDirections;
    const B = input.batchSize;
    if (h0 !== undefined && h0 !== null) this.checkState("hx", h0, [LD, B, this.outSize], "");
    if (c0 !== undefined && c0 !== null) {
      this.checkState("cx", c0, [LD, B, this.hiddenSize], "");
    }
    const permute = (s: Tensor | null | undefined, order: Tensor | null) =>
      s && order ? indexSelect(s, 1, order) : s; // [L·D, B, ·] along the batch
    const { sortedIndices, unsortedIndices } = input;
    const r = this.forwardPacked(
      input.data,
      input.batchSizes.data as Int32Array,
      permute(h0, sortedIndices),
      permute(c0, sortedIndices),
    );
    return {
      output: input.withData(r.output),
      hN: permute(r.hN, unsortedIndices)!,
      cN: permute(r.cN, unsortedIndices) ?? null,
    };
  }

  /**
   * Runs padded input [T, B, I] ([B, T, I] with batchFirst) or unbatched [T, I], with optional
   * initial states [L·D, B, ·] (unbatched: [L·D, ·]). Output and states keep the input's layout.
   */
  protected runPadded(input: Tensor, h0?: Tensor, c0?: Tensor): RecurrentResult {
    const name = this.layerName;
    if (!(input instanceof Tensor)) throw new Error(`${name}: expected input to be a Tensor`);
    if (input.dim() !== 2 && input.dim() !== 3) {
      throw new Error(
        `${name}: expected input of rank 2 (unbatched) or 3, got ${formatShape(input.shape)}`,
      );
    }
    if (input.dtype !== "float32") {
      throw new Error(`${name}: expected a float32 input, got ${input.dtype}`);
    }
    if (input.shape[input.dim() - 1] !== this.inputSize) {
      throw new Error(
        `${name}: expected input of size ${this.inputSize} in the last dimension, got ${formatShape(input.shape)}`,
      );
    }
    const batched = input.dim() === 3;
    let x = batched ? input : unsqueeze(input, 1); // [T, 1, I]
    if (batched && this.batchFirst) x = transpose(x, 0, 1); // [T, B, I]
    const [T, B] = x.shape;
    if (T === 0) {
      throw new Error(
        `${name}: expected a sequence length larger than 0, got ${formatShape(input.shape)}`,
      );
    }
    const states = [h0, c0].map((s, k) => {
      if (s === undefined || s === null) return s;
      const size = k === 0 ? this.outSize : this.hiddenSize;
      const expected = batched
        ? [this.numLayers * this.numDirections, B, size]
        : [this.numLayers * this.numDirections, size];
      this.checkState(
        k === 0 ? "hx" : "cx",
        s,
        expected,
        batched ? "" : " for unbatched 2-D input",
      );
      return batched ? s : unsqueeze(s, 1); // [L·D, 1, ·]
    });
    if (B === 0) return this.emptyBatch(T);
    const batchSizes = new Int32Array(T).fill(B);
    const r = this.forwardPacked(
      reshape(x, [T * B, this.inputSize]),
      batchSizes,
      states[0],
      states[1],
    );
    let output = reshape(r.output, [T, B, r.output.shape[1]]); // [T, B, D·P]
    if (!batched) {
      return { output: squeeze(output, 1), hN: squeeze(r.hN, 1), cN: r.cN && squeeze(r.cN, 1) };
    }
    if (this.batchFirst) output = transpose(output, 0, 1); // [B, T, D·P]
    return { output, hN: r.hN, cN: r.cN };
  }

  /**
   * The packed entry point: `data` [N, I] time-major packed rows, `batchSizes` the active batch
   * per step (non-increasing, summing to N), `h0` [L·D, B, P] and `c0` [L·D, B, H] (zeros when
   * omitted) with B = batchSizes[0]. Returns packed output rows [N, D·P] and the final states.
   */
  forwardPacked(
    data: Tensor,
    batchSizes: Int32Array | readonly number[],
    h0?: Tensor | null,
    c0?: Tensor | null,
  ): RecurrentResult {
    const name = this.layerName;
    const sizes = Int32Array.from(batchSizes);
    const total = sizes.reduce((a, b) => a + b, 0);
    const sorted = sizes.every(
      (s, t) => Number.isInteger(batchSizes[t]) && s > 0 && (t === 0 || s <= sizes[t - 1]),
    );
    if (sizes.length === 0 || !sorted) {
      throw new Error(
        `${name}: expected non-empty, positive, non-increasing batchSizes, got [${[...batchSizes].join(", ")}]`,
      );
    }
    if (
      !(data instanceof Tensor) ||
      data.dim() !== 2 ||
      data.shape[0] !== total ||
      data.shape[1] !== this.inputSize
    ) {
      const got = data instanceof Tensor ? formatShape(data.shape) : typeof data;
      throw new Error(
        `${name}: expected packed data of shape [${total}, ${this.inputSize}], got ${got}`,
      );
    }
    if (data.dtype !== "float32") {
      throw new Error(`${name}: expected a float32 input, got ${data.dtype}`);
    }
    const B = sizes[0];
    const L = this.numLayers;
    const D = this.numDirections;
    const lstm = this.mode === "lstm";
    const h = h0 ?? zeros([L * D, B, this.outSize]);
    const c = lstm ? (c0 ?? zeros([L * D, B, this.hiddenSize])) : null;
    if (h0) this.checkState("hx", h0, [L * D, B, this.outSize], "");
    if (c0) {
      if (!lstm) throw new Error(`${name}: a cell state is only used by LSTM`);
      this.checkState("cx", c0, [L * D, B, this.hiddenSize], "");
    }

    let layerInput = data; // [N, I], then [N, D·P]
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const w = this._weights[l * D + d];
        const r = recurrentLayer({
          mode: this.mode,
          x: layerInput,
          batchSizes: sizes,
          h0: select(h, 0, l * D + d), // [B, P]
          c0: c ? select(c, 0, l * D + d) : null, // [B, H]
          ...w,
          reverse: d === 1,
        });
        outs.push(r.output);
        hs.push(r.hN);
        if (r.cN) cs.push(r.cN);
      }
      layerInput = D === 1 ? outs[0] : cat(outs, 1); // [N, D·P]
      if (l < L - 1 && this.dropout > 0 && this.training) {
        layerInput = dropoutFn(layerInput, this.dropout, true);
      }
    }
    return { output: layerInput, hN: stack(hs, 0), cN: lstm ? stack(cs, 0) : null };
  }

  /** PyTorch returns empty results for a batch of 0; packed batch sizes must be positive. */
  private emptyBatch(T: number): RecurrentResult {
    const LD = this.numLayers * this.numDirections;
    const DP = this.numDirections * this.outSize;
    return {
      output: zeros(this.batchFirst ? [0, T, DP] : [T, 0, DP]),
      hN: zeros([LD, 0, this.outSize]),
      cN: this.mode === "lstm" ? zeros([LD, 0, this.hiddenSize]) : null,
    };
  }

  private checkState(what: string, s: Tensor, expected: number[], context: string): void {
    if (!(s instanceof Tensor) || s.dtype !== "float32" || !sameShape(s.shape, expected)) {
      const got =
        s instanceof Tensor
          ? `${formatShape(s.shape)}${s.dtype === "float32" ? "" : ` (${s.dtype})`}`
          : typeof s;
      throw new Error(
        `${this.layerName}: expected ${what} of shape ${formatShape(expected)}${context}, got ${got}`,
      );
    }
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}
