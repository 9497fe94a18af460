import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { formatTable } from "../format-report.js";
import { globPattern } from "../glob-pattern.js";
import { type KnownFailing, parseKnownFailing } from "../known-failing.js";
import { type Report, runConformance } from "../run-conformance.js";

/**
 * The peer servers the suite reports on: real OIP servers from PyPI serving the conformance
 * models, each with a committed known-failing list and a report under docs/. The reports are
 * regenerated in `npm test` (src/testing/peers.test.ts) and compared with the committed ones.
 */
export const peers = {
  mlserver: {
    title: "MLServer",
    served:
      "MLServer (with mlserver-sklearn) serving `packages/conformance/models/` through the numpy fixture runtime in `packages/conformance/mlserver/` (MLServer has no ONNX runtime in its default set)",
  },
  kserve: {
    title: "KServe ModelServer",
    served:
      "KServe's Python `ModelServer` (the `kserve` package from PyPI, pinned in `scripts/python-venvs/kserve.txt`) serving the conformance models as `kserve.Model` subclasses in `packages/conformance/peers/kserve/conformance_server.py`",
  },
} as const;

export type PeerName = keyof typeof peers;

const packageDir = fileURLToPath(new URL("../../", import.meta.url));
const peerScript = `${packageDir}scripts/peer.sh`;
export const repoDir = fileURLToPath(new URL("../../../../", import.meta.url));

export function knownFailingPath(peer: PeerName): string {
  return `${packageDir}known-failing/${peer}.txt`;
}

export function reportPath(peer: PeerName): string {
  return `${repoDir}docs/conformance-${peer}.md`;
}

export interface RunningPeer {
  readonly url: string;
  readonly grpcAddress: string;
  readonly version: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Installs (or reuses) the peer's venv and serves it on free ports; resolves once its
 * /v2/health/ready answers. The script runs in its own process group so `stop` ends it and the
 * server together.
 */
export async function startPeer(peer: PeerName): Promise<RunningPeer> {
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    "bash",
    [peerScript, "serve", peer, String(http), String(grpc), String(metrics)],
    {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) {
        process.kill(-child.pid, "SIGKILL");
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  const version = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^ready (\S+)$/m.exec(out);
      if (match !== null) {
        resolve(match[1] as string);
      }
    });
    child.once("exit", (code) => reject(new Error(`peer.sh serve ${peer} exited with ${code}:\n${stderr}`)));
  });
  return { url: `http://127.0.0.1:${http}`, grpcAddress: `127.0.0.1:${grpc}`, version, stop };
}

/** Runs the suite against a peer in both modes, with its known-failing list. */
export async function runPeer(running: RunningPeer, knownFailingText: string) {
  const knownFailing = parseKnownFailing(knownFailingText);
  const options = { url: running.url, grpcUrl: running.grpcAddress, knownFailing };
  return {
    knownFailing,
    spec: await runConformance({ ...options, mode: "spec" }),
    strict: await runConformance({ ...options, mode: "strict" }),
  };
}

/** Removes what differs from run to run: ports, generated ids, object addresses, checkout paths. */
export function normalize(text: string): string {
  return (
    text
      .replaceAll(repoDir, "")
      // A Python traceback names files by their real paths, and its cut-off point moves with them.
      .replace(/Traceback \(most recent call last\):[^\n]*/g, "Traceback (most recent call last): …")
      .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
      .replace(/0x[0-9a-f]{8,}/g, "0x<address>")
  );
}

/** Words re-flowed into lines of at most `width` characters. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return line === "" ? lines : [...lines, line];
}

/** The markdown report of a peer: how it was run, both modes' summaries, known failures by reason. */
export function peerReport(
  peer: PeerName,
  version: string,
  knownFailing: KnownFailing,
  spec: Report,
  strict: Report,
): string {
  const { title, served } = peers[peer];
  const summary = (report: Report) =>
    normalize(
      formatTable(report)
        .split("\n")
        .filter((l) => !/^(FAILED|INFO|UNEXPECTED PASS): /.test(l))
        .join("\n")
        .trim(),
    );
  const byReason = new Map<string, string[]>();
  for (const r of spec.results) {
    if (r.status === "known-failure") {
      const reason = knownFailing.reasonFor(r.name) ?? "";
      const message = r.message ?? "";
      const known = message.lastIndexOf(` [known: ${reason}]`);
      const list = byReason.get(reason) ?? [];
      list.push(`- \`${r.name}\` [${r.level}]: ${normalize(known < 0 ? message : message.slice(0, known))}`);
      byReason.set(reason, list);
    }
  }
  const strictOnly = strict.results
    .filter((r) => r.status === "failed")
    .map((r) => `- \`${r.name}\` [${r.level}]: ${normalize(r.message ?? "")}`);
  return [
    `# Conformance report: ${title} ${version}`,
    "",
    ...wrap(
      `${served}, run by \`tensorwire conformance\` over REST and gRPC with \`--known-failing packages/conformance/known-failing/${peer}.txt\`. \`npm test\` regenerates this report and fails when it or the known-failing list is stale; \`npm run write-reports -w @tensorwire/conformance\` rewrites both (new failures land in the list as [unclassified], to be given a cause). Ports, generated ids and object addresses are replaced by placeholders.`,
    ),
    "",
    `## Spec mode (exit status ${spec.exitCode})`,
    "",
    "```text",
    summary(spec),
    "```",
    "",
    "### Known failures by cause",
    "",
    ...[...byReason.entries()].flatMap(([reason, lines]) => [
      ...wrap(reason).map((l) => `> ${l}`),
      "",
      ...lines,
      "",
    ]),
    `## Strict mode (exit status ${strict.exitCode})`,
    "",
    "Strict mode also requires what the major implementations agree on (404 for unknown models, 405",
    "for wrong methods, 400 for malformed bodies). Cases that fail only in strict mode:",
    "",
    ...(strictOnly.length === 0 ? ["(none)"] : strictOnly),
    "",
    "```text",
    summary(strict),
    "```",
    "",
  ].join("\n");
}

/**
 * The known-failing list brought up to date with a spec-mode run: globs that match no failing case
 * go; a glob that also matches passing cases is replaced by the failing cases it matched, under
 * the same reason; failures no glob lists are added at the end as [unclassified].
 */
export function updateKnownFailing(text: string, report: Report): string {
  const failing = report.results.filter((r) => r.status === "known-failure").map((r) => r.name);
  const passing = report.results.filter((r) => r.status !== "known-failure" && r.status !== "skipped");
  const blocks = text.trimEnd().split(/\n\s*\n/);
  const out: string[] = [];
  for (const block of blocks) {
    const lines = block.split("\n");
    const comments = lines.filter((l) => l.trim().startsWith("#"));
    const globs = lines.filter((l) => !l.trim().startsWith("#"));
    if (globs.length === 0) {
      out.push(block);
      continue;
    }
    const kept = globs.flatMap((line) => {
      const hash = line.indexOf(" #");
      const glob = (hash < 0 ? line : line.slice(0, hash)).trim();
      const inline = hash < 0 ? "" : line.slice(hash);
      const pattern = globPattern(glob);
      const matched = failing.filter((n) => pattern.test(n));
      if (matched.length === 0) {
        return [];
      }
      if (passing.some((r) => pattern.test(r.name))) {
        return matched.map((n) => `${n}${inline}`);
      }
      return [line];
    });
    if (kept.length > 0) {
      out.push([...comments, ...kept].join("\n"));
    }
  }
  const unlisted = report.results.filter((r) => r.status === "failed");
  if (unlisted.length > 0) {
    out.push(
      [
        "# [unclassified] Failing cases no entry listed yet: give each its cause and move it to its group.",
        ...unlisted.map((r) => `${r.name} # [unclassified] ${normalize(r.message ?? "").slice(0, 120)}`),
      ].join("\n"),
    );
  }
  return `${out.join("\n\n")}\n`;
}
