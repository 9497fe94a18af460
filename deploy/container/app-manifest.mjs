// Writes the package.json of the image's application folder: the packed workspace tarballs in this
// folder as its dependencies. Run in the folder holding the tarballs (`npm pack` output).
//   node app-manifest.mjs <repo> > package.json
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [repo] = process.argv.slice(2);
const workspaces = ["packages/proto", "packages/codec", "packages/models", "apps/server"];
const tarballs = new Set(readdirSync("."));
const dependencies = {};
for (const dir of workspaces) {
  const { name, version } = JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8"));
  // npm pack names a tarball <scope>-<name>-<version>.tgz
  const file = `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
  if (!tarballs.has(file)) {
    throw new Error(`no ${file} beside the manifest (expected npm pack output for ${name})`);
  }
  dependencies[name] = `file:${file}`;
}
const manifest = { name: "tensorwire-image", private: true, type: "module", dependencies };
process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
