/** Per-file line counts under src/, largest first, flagging files over 600 lines (STYLE.md §6). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const files = readdirSync("src", { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join("src", f))
  .map((f) => ({ f, n: readFileSync(f, "utf8").split("\n").length }))
  .sort((a, b) => b.n - a.n);
for (const { f, n } of files)
  console.log(`${String(n).padStart(5)}  ${f}${n > 600 ? "  <- over 600 lines" : ""}`);
console.log(`${files.reduce((s, x) => s + x.n, 0)} lines in ${files.length} files`);
