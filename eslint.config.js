import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "test/parity/fixtures/", "wasm/", "web/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // The core must bundle for the browser: no Node built-ins outside the CLI and Node-only io.
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "src/io/node/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "fs", "path", "os", "child_process", "worker_threads"],
              message:
                "The core runs in browsers: Node built-ins belong in src/cli or src/io/node.",
            },
          ],
        },
      ],
    },
  },
  {
    // nn/ and tasks/ reach kernels only through tensor/ and ops/ (ARCHITECTURE.md).
    files: ["src/nn/**/*.ts", "src/tasks/**/*.ts", "src/optim/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/backend/**", "**/backend"],
              message: "nn/, optim/ and tasks/ never import backend/: go through ops/ or tensor/.",
            },
            { group: ["node:*"], message: "The core runs in browsers." },
          ],
        },
      ],
    },
  },
);
