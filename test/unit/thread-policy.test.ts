/**
 * The wasm backend's thread policy (src/backend/wasm/policy.ts): it uses the pool while pooled
 * calls are ≥ 10% faster per unit of work, tries the other way every 16th call while the two are
 * close and every 128th while one is clearly (30%) faster, each try two calls of which only the
 * second counts, and follows a change of load.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ThreadPolicy } from "../../src/backend/wasm/policy.js";

/**
 * Runs `calls` decisions with the given ms per call each way; returns how many were pooled. A
 * pooled call that follows one alone, or comes first, takes `wake` ms more (the worker slept).
 */
function run(policy: ThreadPolicy, calls: number, alone: number, pooled: number, wake = 0): number {
  let count = 0;
  let last = false;
  for (let i = 0; i < calls; i++) {
    const p = policy.decide("gemm", 1e9);
    policy.record("gemm", 1e9, p, p ? pooled + (last ? 0 : wake) : alone);
    if (p) count++;
    last = p;
  }
  return count;
}

test("tries each way twice, then keeps to the faster with rare tries of the other", () => {
  const policy = new ThreadPolicy();
  const start: boolean[] = [];
  for (const ms of [99, 20, 99, 40]) {
    const p = policy.decide("gemm", 1e9);
    start.push(p);
    // The first call each way is not counted: 99 ms there changes nothing.
    policy.record("gemm", 1e9, p, ms);
  }
  assert.deepEqual(start, [true, true, false, false], "two calls pooled, then two alone");
  // Clearly faster pooled (0.5×): each 128th decision starts a try of two calls alone, so 2 in
  // every 129 calls run alone.
  assert.equal(run(policy, 1290, 40, 20), 1290 - 20);
  // Close (0.85×, still ≥ 10% faster): a try every 16th decision, 2 alone in every 17 calls.
  const close = new ThreadPolicy();
  run(close, 4, 40, 34);
  assert.equal(run(close, 1700, 40, 34), 1700 - 200);
});

test("a try of the pool is not judged by the worker's wake-up", () => {
  // Pooled 60 µs in a run of pooled calls but 95 µs first (the worker slept), 100 µs alone. Judged
  // by its first calls the pool is not 10% faster, and it would never be used.
  const policy = new ThreadPolicy();
  run(policy, 4, 100, 60, 35);
  assert.equal(run(policy, 1290, 100, 60, 35), 1290 - 20);
});

test("follows the machine when the pool stops paying", () => {
  const policy = new ThreadPolicy();
  run(policy, 200, 40, 20);
  // The pool now takes 60 ms: the next tries of it pull its average up and the policy turns.
  run(policy, 400, 40, 60);
  const last = run(policy, 256, 40, 60);
  assert.ok(last <= 4, `still pooled ${last} of 256 calls (two tries of two calls at most)`);
  // Separate kinds and sizes learn separately.
  assert.equal(policy.decide("gemm", 1e3), true);
  assert.equal(policy.decide("adam", 1e9), true);
});
