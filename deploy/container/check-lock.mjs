// Fails when the image's installed dependencies differ from the versions the repository's
// package-lock.json pins: the image must run what CI tested.
//   node check-lock.mjs <repo package-lock.json> <app package-lock.json>
import { readFileSync } from "node:fs";

const [repoLock, appLock] = process.argv.slice(2).map((p) => JSON.parse(readFileSync(p, "utf8")).packages);
const mismatches = [];
let checked = 0;
for (const [path, entry] of Object.entries(appLock)) {
  // "" is the application itself; the workspaces are links in the repository and tarballs here.
  if (path === "" || path.startsWith("node_modules/@tensorwire/") || entry.dev) {
    continue;
  }
  checked++;
  const pinned = repoLock[path];
  if (pinned?.version !== entry.version) {
    mismatches.push(`${path}: ${entry.version} (repository: ${pinned?.version ?? "absent"})`);
  }
}
if (mismatches.length > 0) {
  console.error(`dependencies differ from the repository's lockfile:\n  ${mismatches.join("\n  ")}`);
  process.exit(1);
}
console.log(`${checked} production dependencies match the repository's lockfile`);
