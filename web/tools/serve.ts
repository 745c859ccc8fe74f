/**
 * `npm run web`: builds web/dist (scripts/build-web.ts) and serves it on localhost with node:http.
 * Responses carry Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
 * require-corp, so the page is cross-origin isolated and the wasm backend may share its memory
 * with worker threads; `isolate: false` (--no-isolate) leaves them out, to see the one-thread
 * fallback. Only files under the root are served; no directory listings.
 *
 * @example
 * npm run web                        # http://localhost:8080/
 * npm run web -- --port 9000 --no-build --no-isolate
 * const server = await serveWeb({ root: "web/dist", port: 0 });  // server.url, server.close()
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export interface ServeOptions {
  root: string;
  /** 0: any free port. */
  port?: number;
  host?: string;
  /** Send COOP/COEP (default true). */
  isolate?: boolean;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the files under `root` (see the file header). */
export function serveWeb(options: ServeOptions): Promise<WebServer> {
  const root = resolve(options.root);
  const isolate = options.isolate ?? true;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    const headers: Record<string, string> = { "Cache-Control": "no-store" };
    if (isolate) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    let size = -1;
    try {
      if (file.startsWith(root + sep) && statSync(file).isFile()) size = statSync(file).size;
    } catch {
      size = -1;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, headers).end();
      return;
    }
    if (size < 0) {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      ...headers,
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Content-Length": String(size),
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      done({
        url: `http://${options.host ?? "localhost"}:${port}/`,
        close: () =>
          new Promise((closed) => {
            server.closeAllConnections();
            server.close(() => closed());
          }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8080" },
      "no-build": { type: "boolean", default: false },
      "no-isolate": { type: "boolean", default: false },
    },
  });
  const { buildWeb, DEFAULT_OUTDIR } = await import("../../scripts/build-web.js");
  if (!values["no-build"]) await buildWeb();
  const server = await serveWeb({
    root: DEFAULT_OUTDIR,
    port: Number(values.port),
    isolate: !values["no-isolate"],
  });
  console.log(`recurrent web demo: ${server.url}  (bench: ${server.url}bench.html; Ctrl-C stops)`);
}
