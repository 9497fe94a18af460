// Fetches the peers the test suite runs against, before the tests start, with a progress line for
// each one that is not there yet: the first `npm test` downloads several hundred MB (Python packages
// from PyPI, Kafka's jars from Maven Central, Go modules), and the tests would otherwise fetch them
// silently on first use. Each peer's own setup script does the work and returns at once when its
// peer is already installed. A peer whose toolchain is missing is reported and left out; the tests
// that need it say so (most skip; the Kafka tests need Java 17 and Maven).
//   node scripts/fetch-peers.mjs
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));

/**
 * Each peer: what it is, its setup script, the folder it fills, a file there once it is installed,
 * its size once installed, the tools its script needs.
 */
const peers = [
  ...[
    ["tritonclient", "tritonclient (Python)", 190],
    ["mlserver", "MLServer 1.7.1 (Python)", 520],
    ["kserve", "KServe 0.21 ModelServer (Python)", 450],
    ["examples", "the doc examples' requests, pandas and pyarrow (Python)", 360],
  ].map(([venv, name, mb]) => ({
    name,
    script: ["scripts/python-venv.sh", venv],
    dir: `.venv/${venv}`,
    marker: `.venv/${venv}/.requirements.sha256`,
    mb,
    tools: ["python3"],
  })),
  {
    name: "Apache Kafka (Maven Central)",
    script: ["apps/server/test/kafka/fetch-kafka.sh"],
    dir: ".cache/kafka",
    marker: ".cache/kafka",
    mb: 45,
    tools: ["mvn", "java"],
  },
  {
    name: "grpcurl (Go)",
    script: ["apps/server/test/peer/setup-grpcurl.sh"],
    dir: ".cache/grpcurl",
    marker: ".cache/grpcurl/bin/grpcurl",
    mb: 40,
    tools: ["go"],
  },
  {
    name: "helm and the manifest validator (Go)",
    script: ["deploy/validate/setup-tools.sh"],
    dir: ".cache/deploy-tools",
    marker: ".cache/deploy-tools/bin/validate",
    mb: 215,
    tools: ["go"],
  },
];

const progressEveryMs = 15_000;

function has(tool) {
  // The setup scripts also look for Go where its official archive installs it.
  const elsewhere = tool === "go" ? " || test -x /usr/local/go/bin/go" : "";
  try {
    execFileSync("sh", ["-c", `command -v ${tool}${elsewhere}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function sizeMb(dir) {
  if (!existsSync(dir)) {
    return 0;
  }
  try {
    return Math.round(Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]) / 1024);
  } catch {
    // A file vanished while du walked the folder (pip moves files): the next line tries again.
    return 0;
  }
}

/** Runs the peer's setup; when the peer is not there yet, says so and how far it got. */
function fetchPeer(peer) {
  return new Promise((resolve) => {
    const started = Date.now();
    const dir = join(repo, peer.dir);
    const fresh = !existsSync(join(repo, peer.marker));
    const output = [];
    const child = spawn("bash", [join(repo, peer.script[0]), ...peer.script.slice(1)], {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => output.push(chunk));
    }
    const seconds = () => Math.round((Date.now() - started) / 1000);
    if (fresh) {
      console.log(`peers: fetching ${peer.name} into ${peer.dir} (first run only; ~${peer.mb} MB installed)`);
    }
    const progress = fresh
      ? setInterval(() => {
          console.log(`peers: ${peer.name}: ${sizeMb(dir)} of ~${peer.mb} MB, ${seconds()} s`);
        }, progressEveryMs)
      : undefined;
    child.on("close", (code) => {
      clearInterval(progress);
      if (code !== 0) {
        const tail = output.join("").trim().split("\n").slice(-5).join("\n  ");
        console.log(
          `peers: ${peer.name} could not be fetched (exit ${code}); its tests will say so:\n  ${tail}`,
        );
      } else if (fresh) {
        console.log(`peers: ${peer.name} ready (${seconds()} s)`);
      }
      resolve(fresh);
    });
  });
}

const started = Date.now();
let fetched = 0;
for (const peer of peers) {
  const missing = peer.tools.filter((tool) => !has(tool));
  if (missing.length > 0) {
    console.log(`peers: leaving out ${peer.name}: ${missing.join(" and ")} not installed`);
    continue;
  }
  if (await fetchPeer(peer)) {
    fetched++;
  }
}
if (fetched > 0) {
  console.log(`peers: done in ${Math.round((Date.now() - started) / 1000)} s`);
}
