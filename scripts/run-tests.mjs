// Runs every `*.test.ts` under the given folders (default: test/) with Node's built-in test
// runner. Node 20 cannot expand globs itself, so we list the files and pass them on.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith("--"));
const roots = args.filter((a) => !a.startsWith("--"));
const files = (roots.length > 0 ? roots : ["test"])
  .flatMap((root) =>
    root.endsWith(".ts")
      ? [root]
      : readdirSync(root, { recursive: true, encoding: "utf8" })
          .filter((f) => f.endsWith(".test.ts"))
          .map((f) => join(root, f)),
  )
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${roots.join(", ") || "test"}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...flags, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
