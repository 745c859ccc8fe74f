/**
 * Table-driven bad-input tests: each case is a call that must fail with a plain `Error` whose
 * message matches `error` — what was expected, what came, and where (the function, option, file or
 * line). A TypeError, RangeError or SyntaxError escaping from inside the library counts as a
 * crash, not a clear answer, and so does a call that succeeds.
 *
 * @example
 * badInputs("nn layers", [
 *   { name: "Linear with 0 inputs", run: () => new nn.Linear(0, 3), error: /inFeatures .* got 0/ },
 * ]);
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

export interface BadInput {
  name: string;
  run: () => unknown;
  error: RegExp;
}

/** Errors thrown by the JavaScript engine itself, i.e. input that reached code unguarded. */
const ENGINE_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError];

/** Runs `c` and checks its error (see the file header); returns the message. */
export async function expectClearError(c: BadInput): Promise<string> {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    await c.run();
  } catch (e) {
    thrown = e;
    threw = true;
  }
  assert.ok(threw, `${c.name}: expected an error, but the call succeeded`);
  assert.ok(thrown instanceof Error, `${c.name}: threw a non-Error ${String(thrown)}`);
  const engine = ENGINE_ERRORS.find((E) => thrown instanceof E);
  assert.ok(!engine, `${c.name}: an engine ${engine?.name} escaped: ${(thrown as Error).stack}`);
  if (process.env.RECURRENT_PRINT_ERRORS) console.log(`${c.name}\t${thrown.message}`);
  assert.match(thrown.message, c.error, `${c.name}`);
  return thrown.message;
}

/** Counts every case declared, for the report. */
export const declared = { count: 0 };

/** One test per case, in a suite named `area`. */
export function badInputs(area: string, cases: readonly BadInput[]): void {
  declared.count += cases.length;
  describe(`bad input: ${area}`, () => {
    for (const c of cases) test(c.name, async () => void (await expectClearError(c)));
  });
}
