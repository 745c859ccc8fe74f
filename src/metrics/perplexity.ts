/**
 * Perplexity of a language model: exp of the mean negative log-likelihood per token, in nats
 * (what `crossEntropy` with the default mean reduction returns):
 *
 *   PPL = exp( -(1/N) · Σ_t log p(x_t | x_<t) ) = exp(meanNll)
 *
 * Over several batches, average the NLL by tokens, not by batches: sum each batch's summed NLL
 * and token count and use `perplexityFromTotal`, or the batches' means weighted by their counts.
 *
 * @example
 * const loss = nn.functional.crossEntropy(logits, targets); // mean NLL in nats
 * perplexity(loss);                                         // exp(loss.item())
 * perplexity(Math.log(50));                                 // 50: as unsure as a uniform 50-way guess
 */
import { Tensor } from "../tensor/tensor.js";

/**
 * exp(meanNll). A number is the mean NLL; a Tensor holds either that mean (one element) or
 * per-token NLLs, which are averaged first.
 */
export function perplexity(meanNll: number | Tensor): number {
  let m: number;
  if (meanNll instanceof Tensor) {
    const n = meanNll.numel();
    if (n === 0) throw new Error("perplexity: expected NLL values, got an empty tensor");
    let s = 0;
    for (let i = 0; i < n; i++) s += meanNll.data[i];
    m = s / n;
  } else if (typeof meanNll === "number") {
    m = meanNll;
  } else {
    throw new Error(`perplexity: expected a mean NLL (number or Tensor), got ${typeof meanNll}`);
  }
  if (Number.isNaN(m)) throw new Error("perplexity: the mean NLL is NaN");
  return Math.exp(m);
}

/** exp(totalNll / numTokens): from an NLL summed over `numTokens` tokens. */
export function perplexityFromTotal(totalNll: number, numTokens: number): number {
  if (!(numTokens > 0)) {
    throw new Error(`perplexityFromTotal: expected a positive token count, got ${numTokens}`);
  }
  return perplexity(totalNll / numTokens);
}
