import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import {
  BROWSER_OPTIONS,
  checkBrowserInputs,
  libraryOptions,
  publicApiOnly,
  ROOT,
} from "../../scripts/build-web.js";

const dir = mkdtempSync(join(tmpdir(), "recurrent-web-bundle-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the browser bundle (scripts/build-web.ts)", () => {
  test("src/index.ts bundles for platform browser with nothing Node-only inside", async () => {
    const { metafile } = await build({ ...libraryOptions(dir), sourcemap: false });
    const inputs = Object.keys(metafile.inputs);
    assert.deepEqual(checkBrowserInputs(metafile), []);
    assert.ok(
      inputs.includes("src/backend/wasm/kernels.generated.ts"),
      "the wasm kernels ride along",
    );
    assert.ok(!inputs.some((p) => p.startsWith("src/cli/") || p.startsWith("src/io/node/")));
    for (const [name, output] of Object.entries(metafile.outputs)) {
      const external = output.imports.filter((i) => i.external);
      assert.deepEqual(external, [], `${name} imports only its own chunks`);
      assert.doesNotMatch(readFileSync(join(ROOT, name), "utf8"), /^\s*import\s.*["']node:/m);
    }
    // The bundle runs on its own, with the wasm kernels decoded from the bundle.
    const url = pathToFileURL(join(dir, "recurrent.js")).href;
    const r = (await import(url)) as typeof import("../../src/index.js");
    const y = r.matmul(r.tensor([[1, 2, 3]]), r.tensor([[1], [2], [3]]));
    assert.deepEqual(y.toArray(), [[14]]);
    r.manualSeed(0);
    const lstm = new r.nn.LSTM({ inputSize: 3, hiddenSize: 4 });
    const [out] = lstm.forward(r.randn([5, 2, 3]));
    assert.deepEqual(out.shape, [5, 2, 4]);
  });

  test("a Node built-in in the graph fails the browser build", async () => {
    for (const spec of ["node:fs", "fs", "worker_threads"]) {
      await assert.rejects(
        build({
          ...BROWSER_OPTIONS,
          write: false,
          stdin: { contents: `import * as m from "${spec}"; console.log(m);`, resolveDir: ROOT },
        }),
        new RegExp(`Could not resolve "${spec}"`),
      );
    }
  });

  test("checkBrowserInputs names CLI, Node-only io and node: inputs", () => {
    const inputs = (paths: string[]) =>
      ({
        inputs: Object.fromEntries(paths.map((p) => [p, { bytes: 1, imports: [] }])),
        outputs: {},
      }) as Parameters<typeof checkBrowserInputs>[0];
    assert.deepEqual(
      checkBrowserInputs(
        inputs(["src/index.ts", "src/cli/main.ts", "src/io/node/files.ts", "node:fs", "x/y.js"]),
      ),
      ["src/cli/main.ts", "src/io/node/files.ts", "node:fs"],
    );
  });

  test("pages reach the library only through src/index.ts", async () => {
    const page = (contents: string) =>
      build({
        ...BROWSER_OPTIONS,
        write: false,
        sourcemap: false,
        outdir: dir,
        plugins: [publicApiOnly],
        stdin: { contents, resolveDir: join(ROOT, "web", "src"), sourcefile: "page.ts" },
      });
    const ok = await page(`import { tensor } from "../../src/index.js"; console.log(tensor);`);
    assert.match(ok.outputFiles[0].text, /from "\.\/recurrent\.js"/);
    await assert.rejects(
      page(`import { Tensor } from "../../src/tensor/tensor.js"; console.log(Tensor);`),
      /pages use only the public API/,
    );
  });
});
