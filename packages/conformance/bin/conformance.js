#!/usr/bin/env node
// The `tensorwire-conformance` command. `#!/usr/bin/env node` may find a Node older than the runner
// needs (connect-node 2.2 wants Node >= 22; some machines' system Node is 20), so an older Node
// re-runs this file with the Node >= 22 of the installed `node` package (node_modules/node/bin/node,
// what `npm run` scripts use). Written to parse on old Node versions.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const minimumMajor = 22;
const self = fileURLToPath(import.meta.url);

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
      `tensorwire-conformance needs Node ${minimumMajor} or newer (22 and 24 are supported); this is ${process.version}. Install one from https://nodejs.org, or add it to the project: npm install --save-dev node@${minimumMajor}`,
    );
    process.exit(1);
  }
  const child = spawn(node, [self, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, TENSORWIRE_REEXEC: "1" },
  });
  for (const signal of ["SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
  });
} else {
  const { main } = await import("../dist/cli.js");
  process.exitCode = await main(process.argv.slice(2));
}
