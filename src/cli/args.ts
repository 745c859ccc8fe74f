/**
 * Argument parsing helpers for the CLI: typed option parsers that reject bad values with a
 * message naming the option, what it expects and what came, and `UsageError` for problems found
 * after parsing (an unknown dataset, options that do not go together). Both end the process with
 * exit code 2, as usage errors do in POSIX tools; other failures exit 1.
 *
 * @example
 * cmd.option("--hidden <n>", "hidden size", intArg("--hidden", 1), 256);
 */
import { InvalidArgumentError } from "commander";

/** A bad command line found after parsing: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An integer option ≥ `min` (and ≤ `max`). */
export function intArg(name: string, min: number, max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Infinity ? `≥ ${min}` : `in ${min}..${max}`;
      throw new InvalidArgumentError(`${name} expects an integer ${range}, got "${value}".`);
    }
    return n;
  };
}

/** A number option in [min, max] (or [min, max) with `openMax`). */
export function floatArg(
  name: string,
  min: number,
  max = Infinity,
  openMax = false,
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const ok =
      value.trim() !== "" && Number.isFinite(n) && n >= min && (openMax ? n < max : n <= max);
    if (!ok) {
      const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}${openMax ? ")" : "]"}`;
      throw new InvalidArgumentError(`${name} expects a number ${range}, got "${value}".`);
    }
    return n;
  };
}

/** One of `choices`. */
export function choiceArg<T extends string>(
  name: string,
  choices: readonly T[],
): (value: string) => T {
  return (value) => {
    if (!choices.includes(value as T))
      throw new InvalidArgumentError(
        `${name} expects one of ${choices.join(", ")}, got "${value}".`,
      );
    return value as T;
  };
}
