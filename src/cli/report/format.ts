/**
 * Number formatting shared by the progress display and the run report, so that a loss reads the
 * same in a terminal, a CI log and report.html.
 *
 *   loss, perplexity, other reals   4 significant digits      2.346, 0.01235, 1.235e-5
 *   accuracy-like (a fraction)      percent, 2 decimals       81.23%
 *   throughput (…PerSec, …/s)       integer, then k / M       9,876 tok/s, 12.3k tok/s
 *   learning rate                   exponent                  1.00e-3
 *   integers                        thousands separators      12,345
 *
 * @example
 * formatMetric("loss", 2.34567);          // "loss 2.346"
 * formatMetric("accuracy", 0.8123);       // "acc 81.23%"
 * formatMetric("tokensPerSec", 12345.6);  // "12.3k tok/s"
 * formatDuration(3723);                   // "1:02:03"
 */

/** `x` with `digits` significant digits; exponent form only for very small or large values. */
export function formatSignificant(x: number, digits = 4): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return formatCount(Math.round(x));
  if (abs < 1e-3) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

/** An integer with thousands separators: `12,345`. */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) return formatSignificant(x);
  const sign = x < 0 ? "-" : "";
  return sign + String(Math.round(Math.abs(x))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A rate: exact below 10,000 (`9,876`), then `12.3k`, `123k`, `1.23M`. */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return formatSignificant(x);
  const abs = Math.abs(x);
  if (abs < 1e4) return formatCount(x);
  if (abs < 1e6) return `${(x / 1e3).toFixed(abs < 1e5 ? 1 : 0)}k`;
  if (abs < 1e9) return `${(x / 1e6).toFixed(abs < 1e7 ? 2 : abs < 1e8 ? 1 : 0)}M`;
  return `${(x / 1e9).toPrecision(3)}G`;
}

/** A fraction as a percentage: `0.8123` → `81.23%`. */
export function formatPercent(x: number, decimals = 2): string {
  if (!Number.isFinite(x)) return formatSignificant(x);
  return `${(x * 100).toFixed(decimals)}%`;
}

/** Seconds as `m:ss` or `h:mm:ss`; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

// Keys are matched by their ending, so `valAccuracy` and "test accuracy" read as accuracies.
const isAccuracy = (key: string) => /acc(uracy)?$|exact ?match$/i.test(key);
const isPerplexity = (key: string) => /(ppl|perplexity)$/i.test(key);
const isLoss = (key: string) => /loss$/i.test(key);
const isRate = (key: string) => /PerSec$|\/s$/.test(key);

/** The value alone, formatted by what its key says it is (see the module header). */
export function formatValue(key: string, value: number | string): string {
  if (typeof value === "string") return value;
  if (isAccuracy(key) && value >= 0 && value <= 1) return formatPercent(value);
  if (isRate(key)) return formatRate(value);
  if (key === "lr" || /Lr$/.test(key)) return value.toExponential(2);
  if (isLoss(key) || isPerplexity(key)) return formatSignificant(value);
  if (Number.isInteger(value)) return formatCount(value);
  return formatSignificant(value);
}

/** A short label for a key: `accuracy` → `acc`, `perplexity` → `ppl`, others unchanged. */
export function metricLabel(key: string): string {
  if (key === "accuracy") return "acc";
  if (key === "perplexity") return "ppl";
  return key;
}

/**
 * `key value` for a status line; throughputs read as units: `tokensPerSec` and `tok/s` both give
 * `12.3k tok/s`, `samplesPerSec` gives `456 samples/s`.
 */
export function formatMetric(key: string, value: number | string): string {
  const text = formatValue(key, value);
  if (typeof value === "number" && key.endsWith("/s")) return `${text} ${key}`;
  if (typeof value === "number" && /PerSec$/.test(key)) {
    const unit = key.slice(0, -"PerSec".length);
    return `${text} ${unit === "tokens" ? "tok" : unit}/s`;
  }
  return `${metricLabel(key)} ${text}`;
}
