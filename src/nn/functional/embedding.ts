/**
 * Embedding lookup: out[..., :] = weight[input[...], :] for int32 indices of any shape, so
 * input [*] and weight [numEmbeddings, embeddingDim] give [*, embeddingDim]. The `paddingIdx` row
 * receives no gradient (negative values count from the end, as in PyTorch). With `sparse` the
 * weight's gradient is row-sparse (`Tensor.rowSparse`): the rows looked up, nothing else.
 *
 * @example
 * const w = randn([10, 3]);
 * embedding(tensor([[1, 2], [4, 9]], { dtype: "int32" }), w).shape; // [2, 2, 3]
 */
import { embedding as embeddingOp } from "../../ops/indexing.js";
import { formatShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  /** The weight's gradient is row-sparse: only the rows looked up (PyTorch's sparse=True). */
  sparse?: boolean;
}

/** Resolves a possibly negative paddingIdx against numEmbeddings, or throws naming `op`. */
export function resolvePaddingIdx(
  op: string,
  paddingIdx: number | null | undefined,
  numEmbeddings: number,
): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
    throw new Error(
      `${op}: paddingIdx must be an integer within [-${numEmbeddings}, ${numEmbeddings}) (num_embeddings), got ${paddingIdx}`,
    );
  }
  return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
}

/** Checks int32 indices in [0, numEmbeddings), naming the op and the valid range when not. */
export function checkIndices(
  op: string,
  input: unknown,
  numEmbeddings: number,
): asserts input is Tensor {
  if (!(input instanceof Tensor)) {
    throw new Error(
      `${op}: expected input to be an int32 Tensor of indices, got ${input === null ? "null" : typeof input}`,
    );
  }
  if (input.dtype !== "int32") {
    throw new Error(
      `${op}: expected int32 indices, got ${input.dtype} of shape ${formatShape(input.shape)} ` +
        `(convert with .int() or create them with dtype: "int32")`,
    );
  }
  const idx = input.data;
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= numEmbeddings) {
      throw new Error(
        `${op}: index ${idx[i]} is out of range [0, ${numEmbeddings}) (num_embeddings=${numEmbeddings}) ` +
          `at flat position ${i}`,
      );
    }
  }
}

export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (!(weight instanceof Tensor) || weight.dim() !== 2) {
    const got = weight instanceof Tensor ? formatShape(weight.shape) : typeof weight;
    throw new Error(`embedding: expected a 2-D weight [numEmbeddings, embeddingDim], got ${got}`);
  }
  const rows = weight.shape[0];
  checkIndices("embedding", input, rows);
  const paddingIdx = resolvePaddingIdx("embedding", options.paddingIdx, rows);
  return embeddingOp(input, weight, paddingIdx, options.sparse ?? false);
}
