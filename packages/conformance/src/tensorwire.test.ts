import { readFileSync } from "node:fs";
import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelsDir } from "../scripts/write-models.js";
import { formatTable } from "./format-report.js";
import { parseKnownFailing } from "./known-failing.js";
import { runConformance } from "./run-conformance.js";

const knownFailing = parseKnownFailing(
  readFileSync(new URL("../known-failing/tensorwire.txt", import.meta.url), "utf8"),
  "known-failing/tensorwire.txt",
);

/** Every MUST and SHOULD case must pass; MAY cases only report. */
function mustAndShouldFailures(report: Awaited<ReturnType<typeof runConformance>>) {
  return report.results.filter(
    (r) => (r.status === "failed" && r.level !== "MAY") || r.status === "unexpected-pass",
  );
}

describe("the conformance suite against tensorwire", () => {
  describe("with the committed models in explicit control mode (load/unload allowed)", () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({
        port: 0,
        host: "127.0.0.1",
        zoo: false,
        repository: modelsDir,
        controlMode: "explicit",
        loadModels: ["*"],
        logLevel: "silent",
      });
    });
    afterAll(() => server?.close());

    it("should pass every MUST and SHOULD case", async () => {
      const report = await runConformance({
        url: server.url,
        grpcUrl: server.address,
        knownFailing,
        mode: "strict",
      });
      const bad = mustAndShouldFailures(report);
      expect(bad, formatTable(report)).toEqual([]);
      expect(report.results.filter((r) => r.status === "passed").length).toBeGreaterThanOrEqual(150);
    });
  });

  describe("with the default zoo (no repository, control mode none)", () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ port: 0, host: "127.0.0.1", logLevel: "silent" });
    });
    afterAll(() => server?.close());

    it("should pass every MUST and SHOULD case and skip what the zoo lacks", async () => {
      const report = await runConformance({ url: server.url, grpcUrl: server.address, knownFailing });
      expect(mustAndShouldFailures(report), formatTable(report)).toEqual([]);
      const skipped = report.results.filter((r) => r.status === "skipped");
      expect(skipped.map((r) => r.message)).toContain("the server has no model 'mixed_outputs'");
      expect(skipped.map((r) => r.message)).toContain(
        "the server refuses explicit load/unload (control mode)",
      );
    });
  });
});
