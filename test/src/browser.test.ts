import { existsSync, mkdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, startServer } from "@tensorwire/server";
import { build } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * A page in headless Chromium, served from one origin, calls tensorwire on another over Connect,
 * gRPC-Web and REST through @tensorwire/client, bundled for browsers by esbuild (its `browser`
 * condition: fetch and connect-web). With `corsOrigins` naming the page's origin every call
 * answers; without it the browser withholds every answer and the client says CORS may be why.
 *
 * Chromium is Debian's (`apt-get install chromium`; .ci/run installs it), driven through
 * playwright-core, which downloads no browser. Where it is missing the test skips and says so;
 * with REQUIRE_CI_TOOLS=1 (set by .ci/run) it fails instead. Screenshots of both pages are saved
 * in test/.tmp/browser/.
 */

const chromiumPath = "/usr/bin/chromium";
const required = process.env.REQUIRE_CI_TOOLS === "1";
const available = existsSync(chromiumPath);
if (!available) {
  console.log(`skipping the browser test: no ${chromiumPath} (apt-get install chromium; .ci/run does)`);
}
const screenshots = fileURLToPath(new URL("../.tmp/browser/", import.meta.url));

/** What the page does, bundled with the client; the results land in `window.results`. */
const pageScript = `
import { createOipClient, inferInput } from "@tensorwire/client";

const server = new URLSearchParams(location.search).get("server");

async function call(protocol, model) {
  const client = createOipClient(server, { protocol, retries: 1, timeoutMs: 15000 });
  try {
    const result = await client.infer(model, [inferInput("input", [1, 4], "FP32", [5.1, 3.5, 1.4, 0.2])]);
    return { ok: true, predict: Array.from(result.asTypedArray("predict", "INT64"), String), requestId: result.requestId };
  } catch (err) {
    return { ok: false, code: err.code, message: err.message };
  } finally {
    await client.close();
  }
}

// fetch alone: a JSON POST (preflighted) and a text/plain one (a "simple" request, no preflight,
// whose answer the browser still withholds from the page without CORS).
async function post(contentType) {
  try {
    const res = await fetch(server + "/v2/models/iris/infer", {
      method: "POST",
      headers: { "content-type": contentType },
      body: JSON.stringify({ inputs: [{ name: "input", shape: [1, 4], datatype: "FP32", data: [5.1, 3.5, 1.4, 0.2] }] }),
    });
    const body = await res.json();
    return { ok: true, predict: body.outputs[0].data.map(String), requestId: res.headers.get("x-request-id") ?? undefined };
  } catch (err) {
    return { ok: false, code: err.name, message: err.message };
  }
}

const results = {};
for (const protocol of ["connect", "grpc-web", "rest"]) {
  results[protocol] = await call(protocol, "iris");
}
results["fetch, application/json"] = await post("application/json");
results["fetch, text/plain"] = await post("text/plain");
results["grpc-web, unknown model"] = await call("grpc-web", "no_such_model");
document.getElementById("out").textContent = JSON.stringify(results, null, 2);
window.results = results;
`;

type CallResult =
  | { ok: true; predict: string[]; requestId: string | undefined }
  | { ok: false; code: string; message: string };

describe.runIf(!available && required)("browser test prerequisites", () => {
  it("should find Chromium where REQUIRE_CI_TOOLS=1 (CI)", () => {
    expect.fail(`REQUIRE_CI_TOOLS=1 but ${chromiumPath} is missing`);
  });
});

describe.skipIf(!available)("a page on another origin in headless Chromium", () => {
  let pages: Server;
  let pageOrigin: string;
  let withCors: RunningServer;
  let withoutCors: RunningServer;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: pageScript, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "js" },
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    const js = bundle.outputFiles[0]?.contents as Uint8Array;
    const html =
      '<!doctype html><meta charset="utf-8"><title>tensorwire CORS</title><pre id="out" style="white-space: pre-wrap">calling…</pre><script type="module" src="/page.js"></script>';
    pages = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://page").pathname;
      if (path === "/page.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(js);
      } else if (path === "/") {
        res.writeHead(200, { "content-type": "text/html" }).end(html);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
    const address = pages.address();
    if (address === null || typeof address === "string") throw new Error("no page address");
    pageOrigin = `http://127.0.0.1:${address.port}`;
    [withCors, withoutCors] = await Promise.all([
      startServer({ port: 0, logLevel: "silent", corsOrigins: [pageOrigin] }),
      startServer({ port: 0, logLevel: "silent" }),
    ]);
    profile = await mkdtemp(join(tmpdir(), "tensorwire-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
      timeout: 60_000,
    });
    mkdirSync(screenshots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await Promise.all([withCors?.close(), withoutCors?.close()]);
    await new Promise((resolve) => pages?.close(resolve));
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens the page against `server`, waits for its calls, saves a screenshot. */
  async function visit(server: RunningServer, screenshot: string): Promise<Record<string, CallResult>> {
    const page: Page = await context.newPage();
    try {
      await page.goto(`${pageOrigin}/?server=${encodeURIComponent(server.url)}`);
      await page.waitForFunction(
        () => (globalThis as { results?: unknown }).results !== undefined,
        undefined,
        {
          timeout: 60_000,
        },
      );
      await page.screenshot({ path: join(screenshots, screenshot) });
      return (await page.evaluate(() => (globalThis as unknown as { results: unknown }).results)) as Record<
        string,
        CallResult
      >;
    } finally {
      await page.close();
    }
  }

  it("should call iris over Connect, gRPC-Web and REST when the server allows the page's origin", async () => {
    expect(new URL(withCors.url).origin).not.toBe(pageOrigin);
    const results = await visit(withCors, "cors-allowed.png");
    for (const protocol of ["connect", "grpc-web", "rest", "fetch, application/json", "fetch, text/plain"]) {
      // iris classifies [5.1, 3.5, 1.4, 0.2] as setosa (class 0); the id is the server's XID.
      expect(results[protocol], protocol).toEqual({
        ok: true,
        predict: ["0"],
        requestId: expect.stringMatching(/^[0-9a-v]{20}$/),
      });
    }
    // gRPC-Web carries errors in grpc-status and grpc-message, which the page may read only when exposed.
    expect(results["grpc-web, unknown model"]).toMatchObject({
      ok: false,
      code: "not_found",
      message: expect.stringContaining("no_such_model"),
    });
  }, 120_000);

  it("should fail every call clearly, naming CORS and --cors-origin, when the server does not allow it", async () => {
    const results = await visit(withoutCors, "cors-blocked.png");
    for (const protocol of ["connect", "grpc-web", "rest"]) {
      expect(results[protocol], protocol).toMatchObject({
        ok: false,
        code: "unavailable",
        message: expect.stringContaining(`CORS or the network blocked the request`),
      });
      expect((results[protocol] as { message: string }).message).toContain(`--cors-origin ${pageOrigin}`);
    }
    for (const contentType of ["application/json", "text/plain"]) {
      expect(results[`fetch, ${contentType}`]).toMatchObject({ ok: false, code: "TypeError" });
    }
  }, 120_000);
});
