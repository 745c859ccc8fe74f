/**
 * config.json: what a model directory holds and how to rebuild its model. Every recipe writes
 *
 *   { "format": "recurrent-model", "version": 1, "task": "lm" | "classify" | "seq2seq",
 *     "model": { …the recipe's architecture… }, "data": { …tokenizer, dataset… },
 *     "train": { …the training options, for the report and for --resume… } }
 *
 * A directory written by another format version is refused with a message naming both versions,
 * rather than loaded into a model it does not fit.
 *
 * @example
 * const config = checkModelConfig(JSON.parse(text), "runs/lm/config.json", "lm");
 */

export const MODEL_FORMAT = "recurrent-model";
export const MODEL_VERSION = 1;

export const TASKS = ["lm", "classify", "seq2seq"] as const;
export type TaskName = (typeof TASKS)[number];

export interface ModelConfig<
  M = Record<string, unknown>,
  D = Record<string, unknown>,
  T = Record<string, unknown>,
> {
  format: typeof MODEL_FORMAT;
  version: number;
  task: TaskName;
  model: M;
  data: D;
  train: T;
}

/** Wraps a recipe's parts into a config.json object. */
export function makeModelConfig<M, D, T>(
  task: TaskName,
  model: M,
  data: D,
  train: T,
): ModelConfig<M, D, T> {
  return { format: MODEL_FORMAT, version: MODEL_VERSION, task, model, data, train };
}

/** A bad value in a message: short JSON, and never a throw of its own (String({toString: 0})). */
export function describeValue(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? typeof v;
  } catch {
    text = typeof v;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Checks a parsed config.json: format, version, task (when `task` is given). */
export function checkModelConfig(raw: unknown, where: string, task?: TaskName): ModelConfig {
  const c = raw as Partial<ModelConfig> | null;
  if (typeof c !== "object" || c === null || Array.isArray(c) || c.format !== MODEL_FORMAT)
    throw new Error(
      `${where}: not a recurrent model config (expected "format": "${MODEL_FORMAT}")`,
    );
  if (c.version !== MODEL_VERSION)
    throw new Error(
      `${where}: written by an incompatible version of recurrent (model format version ${describeValue(c.version)}; this version reads ${MODEL_VERSION})`,
    );
  if (!TASKS.includes(c.task as TaskName))
    throw new Error(
      `${where}: expected task to be one of ${TASKS.join(", ")}, got ${describeValue(c.task)}`,
    );
  if (task !== undefined && c.task !== task)
    throw new Error(`${where}: this is a ${c.task} model, expected a ${task} model`);
  for (const k of ["model", "data", "train"] as const) {
    if (typeof c[k] !== "object" || c[k] === null || Array.isArray(c[k]))
      throw new Error(`${where}: expected an object "${k}", got ${describeValue(c[k])}`);
  }
  return c as ModelConfig;
}
