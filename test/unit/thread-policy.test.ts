/**
 * The wasm backend's thread policy (src/backend/wasm/policy.ts): it uses the pool while pooled
 * calls are ≥ 10% faster per unit of work, tries the other way one call in 16 while the two are
 * close and one in 128 while one is clearly (30%) faster, and follows a change of load.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ThreadPolicy } from "../../src/backend/wasm/policy.js";

/** Runs `calls` decisions with the given ms per call each way; returns how many were pooled. */
function run(policy: ThreadPolicy, calls: number, alone: number, pooled: number): number {
  let count = 0;
  for (let i = 0; i < calls; i++) {
    const p = policy.decide("gemm", 1e9);
    policy.record("gemm", 1e9, p, p ? pooled : alone);
    if (p) count++;
  }
  return count;
}

test("tries each way once, then keeps to the faster with rare tries of the other", () => {
  const policy = new ThreadPolicy();
  assert.equal(policy.decide("gemm", 1e9), true, "first call: pooled");
  policy.record("gemm", 1e9, true, 20);
  assert.equal(policy.decide("gemm", 1e9), false, "second call: alone");
  policy.record("gemm", 1e9, false, 40);
  // Clearly faster pooled (0.5×): one call in 128 alone.
  assert.equal(run(policy, 1280, 40, 20), 1280 - 10);
  // Close (0.85×, still ≥ 10% faster): one call in 16 alone, once the averages have moved.
  const close = new ThreadPolicy();
  run(close, 2, 40, 34);
  assert.equal(run(close, 1600, 40, 34), 1600 - 100);
});

test("follows the machine when the pool stops paying", () => {
  const policy = new ThreadPolicy();
  run(policy, 200, 40, 20);
  // The pool now takes 60 ms: the next tries of it pull its average up and the policy turns.
  run(policy, 400, 40, 60);
  const last = run(policy, 256, 40, 60);
  assert.ok(last <= 2, `still pooled ${last} of 256 calls`);
  // Separate kinds and sizes learn separately.
  assert.equal(policy.decide("gemm", 1e3), true);
  assert.equal(policy.decide("adam", 1e9), true);
});
