/**
 * Embedding: a lookup table of `numEmbeddings` vectors of size `embeddingDim`. Input: int32
 * indices of any shape [*] → [*, embeddingDim]. The weight starts N(0, 1) with the `paddingIdx`
 * row zeroed; that row gets no gradient, so it stays as it is in training. State-dict key `weight`.
 *
 * @example
 * const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(tensor([[1, 2, 0]], { dtype: "int32" })).shape; // [1, 3, 3]
 * String(emb);                                                // "Embedding(10, 3, padding_idx=0)"
 * new nn.Embedding(95812, 64, { sparse: true });               // row-sparse weight gradients
 */
import { zeros } from "../tensor/creation.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { embedding, resolvePaddingIdx } from "./functional/embedding.js";
import { normal_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export interface EmbeddingOptions {
  /** This row gets no gradient and starts at zero; negative values count from the end. */
  paddingIdx?: number | null;
  /**
   * The weight's gradient is row-sparse — only the rows a batch looked up — as PyTorch's
   * sparse=True; optimizers that take sparse gradients (SGD without momentum or weight decay,
   * Adagrad, SparseAdam) then update only those rows. Default false (dense, exact PyTorch).
   */
  sparse?: boolean;
}

export interface FromPretrainedOptions extends EmbeddingOptions {
  /** Keeps the weight fixed in training (requiresGrad false; still in stateDict). Default true. */
  freeze?: boolean;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Non-negative, or null when there is no padding row. */
  readonly paddingIdx: number | null;
  readonly sparse: boolean;
  weight: Parameter;

  /** `weight` (PyTorch's `_weight`) adopts existing vectors instead of drawing new ones. */
  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    options: EmbeddingOptions = {},
    weight?: Parameter,
  ) {
    super();
    for (const [name, v] of [
      ["numEmbeddings", numEmbeddings],
      ["embeddingDim", embeddingDim],
    ] as const) {
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`Embedding: ${name} must be a non-negative integer, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = resolvePaddingIdx("Embedding", options.paddingIdx, numEmbeddings);
    this.sparse = options.sparse ?? false;
    if (weight) {
      this.weight = weight;
    } else {
      this.weight = new Parameter(zeros([numEmbeddings, embeddingDim]));
      this.resetParameters();
    }
  }

  /**
   * An Embedding around existing vectors [numEmbeddings, embeddingDim], sharing their storage.
   * As in PyTorch, the paddingIdx row is not zeroed, only excluded from gradients.
   */
  static fromPretrained(embeddings: Tensor, options: FromPretrainedOptions = {}): Embedding {
    if (!(embeddings instanceof Tensor) || embeddings.dim() !== 2) {
      const got = embeddings instanceof Tensor ? formatShape(embeddings.shape) : typeof embeddings;
      throw new Error(
        `Embedding.fromPretrained: expected a 2-D tensor [numEmbeddings, embeddingDim], got ${got}`,
      );
    }
    const [rows, dim] = embeddings.shape;
    const weight = new Parameter(embeddings, !(options.freeze ?? true));
    return new Embedding(
      rows,
      dim,
      { paddingIdx: options.paddingIdx, sparse: options.sparse },
      weight,
    );
  }

  /** Redraws the weight from N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      this.weight.data.fill(
        0,
        this.paddingIdx * this.embeddingDim,
        (this.paddingIdx + 1) * this.embeddingDim,
      );
    }
  }

  forward(input: Tensor): Tensor {
    const w = this.weight;
    if (w.dim() !== 2 || w.shape[0] !== this.numEmbeddings || w.shape[1] !== this.embeddingDim) {
      throw new Error(
        `Embedding: expected weight of shape [${this.numEmbeddings}, ${this.embeddingDim}], got ${formatShape(w.shape)}`,
      );
    }
    try {
      return embedding(input, w, { paddingIdx: this.paddingIdx, sparse: this.sparse });
    } catch (e) {
      throw new Error((e as Error).message.replace(/^embedding:/, "Embedding:"));
    }
  }

  override extraRepr(): string {
    const pad = this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : "";
    const sparse = this.sparse ? ", sparse=True" : "";
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}${sparse}`;
  }
}
