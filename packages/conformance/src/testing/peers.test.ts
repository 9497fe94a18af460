import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTable } from "../format-report.js";
import type { KnownFailing } from "../known-failing.js";
import type { Report } from "../run-conformance.js";
import {
  knownFailingPath,
  type PeerName,
  peerReport,
  type RunningPeer,
  reportPath,
  runPeer,
  startPeer,
  updateKnownFailing,
} from "./peers.js";

/**
 * The peer reports stay true: the suite runs against each peer server, and the report it produces
 * and the known-failing list it implies must equal the committed ones. `npm run write-reports -w
 * @tensorwire/conformance` (CONFORMANCE_WRITE=1) rewrites them instead of comparing.
 */

const write = process.env.CONFORMANCE_WRITE === "1";
const stale = "stale: run npm run write-reports -w @tensorwire/conformance and review the diff";

const python3 = (() => {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!python3) {
  console.warn("peers.test.ts: skipped: python3 is not installed, so the peer servers cannot be set up");
}

describe.skipIf(!python3).each(["mlserver", "kserve"] as PeerName[])("the %s peer", (peer) => {
  let running: RunningPeer | undefined;
  let spec: Report;
  let strict: Report;
  let knownFailing: KnownFailing;
  let knownFailingText = readFileSync(knownFailingPath(peer), "utf8");

  // The first run installs the peer into its venv (minutes); later runs start it in seconds.
  beforeAll(async () => {
    running = await startPeer(peer);
    ({ knownFailing, spec, strict } = await runPeer(running, knownFailingText));
    const updated = updateKnownFailing(knownFailingText, spec);
    if (write && updated !== knownFailingText) {
      // Rewritten: run again, so the report shows the list as written.
      writeFileSync(knownFailingPath(peer), updated);
      knownFailingText = updated;
      ({ knownFailing, spec, strict } = await runPeer(running, knownFailingText));
    }
  }, 900_000);
  afterAll(() => running?.stop(), 30_000);

  it("should fail exactly the cases its known-failing list gives", () => {
    const updated = updateKnownFailing(knownFailingText, spec);
    const wrong = spec.results.filter((r) => r.status === "failed" || r.status === "unexpected-pass");
    expect(wrong, `known-failing/${peer}.txt is ${stale}\n${formatTable(spec)}`).toEqual([]);
    expect(updated, `known-failing/${peer}.txt is ${stale}`).toBe(knownFailingText);
  });

  it("should produce the committed report", () => {
    const report = peerReport(peer, (running as RunningPeer).version, knownFailing, spec, strict);
    if (write) {
      writeFileSync(reportPath(peer), report);
      return;
    }
    expect(report, `docs/conformance-${peer}.md is ${stale}`).toBe(readFileSync(reportPath(peer), "utf8"));
  });
});
