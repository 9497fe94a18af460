#!/usr/bin/env node
// The `tensorwire` command. `#!/usr/bin/env node` may find a Node older than the server needs
// (connect-node 2.2 and onnxruntime-node want Node >= 22; some machines' system Node is 20), so an
// older Node re-runs this file with the Node >= 22 of the installed `node` package
// (node_modules/node/bin/node, what `npm run` scripts use). Written to parse on old Node versions.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serverNodeFlags } from "../dist/core/node-flags.js";

const minimumMajor = 22;
const self = fileURLToPath(import.meta.url);

// ONNX Runtime's Linux and macOS builds send usage telemetry to Microsoft (model and session
// details, a device id kept under ~/.cache) and warn on stderr where they cannot (no CA bundle, no
// writable home: the container image). A model server for tests and clusters should not; ORT reads
// this when it creates its environment, at the first model load. ORT_DISABLE_TELEMETRY=0 keeps it.
if (process.env.ORT_DISABLE_TELEMETRY === undefined) {
  process.env.ORT_DISABLE_TELEMETRY = "1";
}

function findNewerNode() {
  try {
    const pkg = createRequire(import.meta.url).resolve("node/package.json");
    const bin = join(dirname(pkg), "bin", "node");
    if (existsSync(bin)) {
      return bin;
    }
  } catch {
    // Not resolvable from here: walk up instead.
  }
  for (let dir = dirname(self); ; dir = dirname(dir)) {
    const bin = join(dir, "node_modules", ".bin", "node");
    if (existsSync(bin)) {
      return bin;
    }
    if (dirname(dir) === dir) {
      return undefined;
    }
  }
}

if (Number(process.versions.node.split(".")[0]) < minimumMajor) {
  const node = findNewerNode();
  if (node === undefined || process.env.TENSORWIRE_REEXEC === "1") {
    console.error(
      `tensorwire needs Node ${minimumMajor} or newer (22 and 24 are supported); this is ${process.version}. Install one from https://nodejs.org, or add it to the project: npm install --save-dev node@${minimumMajor}`,
    );
    process.exit(1);
  }
  const child = spawn(node, [...serverNodeFlags, self, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, TENSORWIRE_REEXEC: "1" },
  });
  // Ctrl-C reaches the child directly (same process group); forwarding SIGINT too would count
  // as a second Ctrl-C and skip the graceful drain. SIGTERM/SIGHUP are usually sent to one pid.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
  });
} else if (
  process.argv[2] === "serve" &&
  typeof process.execve === "function" &&
  !serverNodeFlags.every((flag) => process.execArgv.includes(flag))
) {
  // V8's heap flags only take effect from the command line: the same process (same pid, so
  // supervisors and signals are unaffected) starts again with them. The environment is passed
  // explicitly: Node 24.9's execve gives the new process an empty one when it is left out
  // (fixed upstream, https://github.com/nodejs/node/pull/60029), losing every TENSORWIRE_* setting.
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...serverNodeFlags, self, ...process.argv.slice(2)],
    process.env,
  );
} else if (
  process.argv[2] === "conformance" ||
  (process.argv[2] === "help" && process.argv[3] === "conformance")
) {
  // The suite is a package of its own (its tests start this server), an optional peer dependency
  // loaded only when asked for.
  const args = process.argv[2] === "help" ? ["--help"] : process.argv.slice(3);
  let conformance;
  try {
    conformance = await import("@tensorwire/conformance");
  } catch (err) {
    const missing =
      err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("@tensorwire/conformance");
    console.error(
      missing
        ? "tensorwire conformance: the suite is a package of its own; install it beside the server: npm install --save-dev @tensorwire/conformance"
        : `tensorwire conformance: could not load @tensorwire/conformance: ${String(err?.message ?? err).split("\n")[0]}`,
    );
    process.exit(2);
  }
  process.exitCode = await conformance.main(args);
} else {
  const { main } = await import("../dist/server/cli.js");
  process.exitCode = await main(process.argv.slice(2));
}
