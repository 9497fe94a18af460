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

    it("should run every case, none skipped, and pass every MUST and SHOULD case", async () => {
      const report = await runConformance({
        url: server.url,
        grpcUrl: server.address,
        knownFailing,
        mode: "strict",
      });
      const bad = mustAndShouldFailures(report);
      expect(bad, formatTable(report)).toEqual([]);
      expect(report.skipped, formatTable(report)).toEqual([]);
      expect(report.exitCode, formatTable(report)).toBe(0);
    });
  });

  describe("with the default zoo (no repository, control mode none)", () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ port: 0, host: "127.0.0.1", logLevel: "silent" });
    });
    afterAll(() => server?.close());

    // The README's "Against tensorwire" section names these skips; keep the two in step.
    it("should pass every MUST and SHOULD case and skip only the optional load/unload cases", async () => {
      const report = await runConformance({ url: server.url, grpcUrl: server.address, knownFailing });
      expect(mustAndShouldFailures(report), formatTable(report)).toEqual([]);
      expect(report.skipped.map((g) => [g.reason, g.count])).toEqual([
        ["the server refuses explicit load/unload (control mode)", 4],
        ["the server refuses explicit load/unload over gRPC (control mode)", 2],
      ]);
      // Those skips are in the optional model-repository suite: the run is complete.
      expect(report.exitCode, formatTable(report)).toBe(0);
    });
  });
});
