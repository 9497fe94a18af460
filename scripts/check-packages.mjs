// Packs every published workspace package (each one not "private") as `npm publish` would, then lints
// each tarball with publint (the manifest against the files shipped) and arethetypeswrong (every
// entry's types resolve for ESM consumers under Node16 and bundler resolution; the packages are
// ESM only, hence its esm-only profile). Exits 1 on any message of either. Run after the build.
//   node scripts/check-packages.mjs [--pack-destination DIR]   (default: a temporary folder, removed)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const repo = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({ options: { "pack-destination": { type: "string" } } });
const destination = values["pack-destination"] ?? mkdtempSync(join(tmpdir(), "tensorwire-pack-"));

/** The workspaces npm would publish, in the root manifest's order. */
function publishedWorkspaces() {
  const root = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  return root.workspaces.filter(
    (dir) => JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")).private !== true,
  );
}

mkdirSync(destination, { recursive: true });
const workspaces = publishedWorkspaces();
// npm's own environment (when run by `npm run`) would otherwise configure this npm.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
);
const packed = JSON.parse(
  execFileSync(
    "npm",
    ["pack", "--json", "--pack-destination", destination, ...workspaces.flatMap((w) => ["-w", w])],
    { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  ),
);
const attw = join(repo, "node_modules/@arethetypeswrong/cli/dist/index.js");
let problems = 0;
for (const { name, filename } of packed) {
  const before = problems;
  const tarball = join(destination, filename);
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    level: "suggestion",
    strict: true,
  });
  for (const message of messages) {
    console.error(`publint ${name}: ${message.type}: ${formatMessage(message, pkg, { color: false })}`);
    problems++;
  }
  try {
    execFileSync(
      process.execPath,
      [attw, tarball, "--profile", "esm-only", "--format", "ascii", "--no-color"],
      {
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      },
    );
  } catch (err) {
    console.error(`arethetypeswrong ${name}:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
    problems++;
  }
  if (problems === before) {
    console.log(`${filename}: publint and arethetypeswrong found nothing`);
  }
}
if (values["pack-destination"] === undefined) {
  rmSync(destination, { recursive: true, force: true });
}
if (problems > 0) {
  console.error(`check-packages: ${problems} problem(s) in the packed packages`);
  process.exit(1);
}
