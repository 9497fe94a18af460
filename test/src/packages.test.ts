import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Proof by installation. The packages are packed as `npm publish` would (scripts/check-packages.mjs,
 * which also lints each tarball with publint and arethetypeswrong), installed from the tarballs into
 * a fresh project outside the workspace (no workspace links), once on Node 22 and once on Node 24,
 * both from npm's `node` package like the repository's own Node. There every README's TypeScript
 * examples are type-checked and run as written, and the installed `tensorwire` command serves and
 * passes its own conformance run.
 *
 * Slow by nature (two installs of onnxruntime-node and the rest): every dependency comes from the
 * local npm cache after the first run, and Node 22 is installed once into .cache/. Each step has a
 * time limit; the time of each is printed.
 */

const exec = promisify(execFile);
const repo = fileURLToPath(new URL("../../", import.meta.url));
const node22Version = "22.23.3";
const typesNode = { 22: "^22.20.7", 24: "^24.19.4" } as const;
const repoManifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

/** The READMEs whose ```ts blocks a user copies: the repository's and each published package's. */
const readmes = [
  "README.md",
  ...readdirSync(join(repo, "packages")).map((p) => `packages/${p}/README.md`),
  "apps/server/README.md",
].filter((path) => existsSync(join(repo, path)));

function examples(): { file: string; code: string }[] {
  return readmes.flatMap((path) => {
    const text = readFileSync(join(repo, path), "utf8");
    const slug = path === "README.md" ? "repo" : (path.split("/")[1] as string);
    return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => {
      const code = m[1] as string;
      // An example that imports vitest is a test file; vitest runs it.
      const ext = code.includes('from "vitest"') ? ".test.ts" : ".ts";
      return { file: `${slug}-readme-${i}${ext}`, code };
    });
  });
}

/**
 * A child's environment without anything of this workspace: no npm_* variables of the `npm test`
 * that started vitest (npm reads them as its configuration), no node_modules/.bin of the repository
 * (its `tensorwire` is a workspace link), and `node` from the Node under test.
 */
function cleanEnv(nodeBin: string): NodeJS.ProcessEnv {
  const keep = ["HOME", "USER", "LANG", "TMPDIR", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"];
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (keep.includes(key) || /_proxy$/i.test(key)) {
      env[key] = value;
    }
  }
  const path = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "" && !dir.startsWith(repo));
  env.PATH = [dirname(nodeBin), ...path].join(delimiter);
  // onnxruntime-node's install script would fetch its CUDA binaries from NuGet (README: "CPU only").
  env.ONNXRUNTIME_NODE_INSTALL = "skip";
  return env;
}

/** Node 22 from npm's `node` package, installed once into .cache/ (renamed into place when done). */
async function node22(): Promise<string> {
  const dir = join(repo, ".cache", `node-${node22Version}`);
  const bin = join(dir, "node_modules", "node", "bin", "node");
  if (!existsSync(bin)) {
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, "package.json"), '{"private": true}\n');
    console.log(
      `packages test: installing node@${node22Version} from npm into ${dir} (first run only, ~30 MB)`,
    );
    await exec("npm", ["install", "--no-audit", "--no-fund", "--no-save", `node@${node22Version}`], {
      cwd: partial,
      env: cleanEnv(process.execPath),
      timeout: 300_000,
    });
    try {
      renameSync(partial, dir);
    } catch {
      // Another run installed it first.
      rmSync(partial, { recursive: true, force: true });
    }
  }
  return bin;
}

/** The repository's Node 24: the `node` dev dependency. */
function node24(): string {
  return join(repo, "node_modules", "node", "bin", "node");
}

const timings: string[] = [];
async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    timings.push(`${label} ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
}

let packDir: string;
let tarballs: string[];

beforeAll(async () => {
  packDir = await mkdtemp(join(tmpdir(), "tensorwire-pack-"));
  await timed("pack + publint + arethetypeswrong", () =>
    exec(process.execPath, [join(repo, "scripts/check-packages.mjs"), "--pack-destination", packDir], {
      cwd: repo,
      env: cleanEnv(process.execPath),
      timeout: 180_000,
    }),
  );
  tarballs = readdirSync(packDir)
    .filter((f) => f.endsWith(".tgz"))
    .map((f) => join(packDir, f));
}, 240_000);

afterAll(() => {
  rmSync(packDir, { recursive: true, force: true });
  console.log(`packages test timings: ${timings.join("; ")}`);
});

it("should pack every published package with its README, LICENSE and CHANGELOG", async () => {
  expect(tarballs.map((t) => t.split("/").at(-1)).sort()).toEqual([
    "tensorwire-client-0.1.0.tgz",
    "tensorwire-codec-0.1.0.tgz",
    "tensorwire-conformance-0.1.0.tgz",
    "tensorwire-models-0.1.0.tgz",
    "tensorwire-proto-0.1.0.tgz",
    "tensorwire-server-0.1.0.tgz",
  ]);
  const license = readFileSync(join(repo, "LICENSE"), "utf8");
  for (const tarball of tarballs) {
    const { stdout } = await exec("tar", ["-tzf", tarball]);
    const files = stdout.split("\n");
    expect(files, tarball).toEqual(
      expect.arrayContaining(["package/README.md", "package/LICENSE", "package/CHANGELOG.md"]),
    );
    expect(
      files.filter((f) => /\.test\.|\/testing\//.test(f)),
      tarball,
    ).toEqual([]);
    const { stdout: shipped } = await exec("tar", ["-xzOf", tarball, "package/LICENSE"]);
    expect(shipped).toBe(license);
  }
});

describe.each([22, 24] as const)("the packed packages in a fresh project on Node %i", (major) => {
  let project: string;
  let env: NodeJS.ProcessEnv;
  let nodeBin: string;
  const written = examples();

  beforeAll(async () => {
    nodeBin = major === 22 ? await timed("node 22 from npm", node22) : node24();
    env = cleanEnv(nodeBin);
    project = await mkdtemp(join(tmpdir(), `tensorwire-fresh-node${major}-`));
    const manifest = {
      name: "fresh-project",
      private: true,
      type: "module",
      dependencies: Object.fromEntries(
        tarballs.map((t) => [
          `@tensorwire/${(t.split("/").at(-1) as string).replace(/^tensorwire-|-\d+\.\d+\.\d+\.tgz$/g, "")}`,
          `file:${t}`,
        ]),
      ),
      devDependencies: {
        typescript: repoManifest.devDependencies.typescript,
        vitest: repoManifest.devDependencies.vitest,
        "@types/node": typesNode[major],
      },
    };
    writeFileSync(join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          verbatimModuleSyntax: true,
          erasableSyntaxOnly: true,
          skipLibCheck: true,
          types: ["node"],
        },
        include: ["*.ts"],
      }),
    );
    for (const { file, code } of written) {
      writeFileSync(join(project, file), code);
    }
    await timed(`npm install on Node ${major}`, () =>
      exec("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
        cwd: project,
        env,
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
      }),
    );
  }, 900_000);

  afterAll(() => {
    if (project !== undefined) {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("should run on the Node asked for, with real installed packages rather than workspace links", async () => {
    const { stdout } = await exec("node", ["--version"], { cwd: project, env });
    expect(stdout.trim()).toMatch(new RegExp(`^v${major}\\.`));
    for (const name of ["proto", "codec", "models", "client", "conformance", "server"]) {
      expect(lstatSync(join(project, "node_modules", "@tensorwire", name)).isSymbolicLink()).toBe(false);
    }
    // npm installed the peers the packages declare.
    expect(existsSync(join(project, "node_modules", "@bufbuild", "protobuf", "package.json"))).toBe(true);
    expect(existsSync(join(project, "node_modules", "@connectrpc", "connect", "package.json"))).toBe(true);
  });

  it("should type-check every README's TypeScript examples", async () => {
    expect(written.length).toBeGreaterThanOrEqual(8);
    await timed(`tsc on Node ${major}`, async () => {
      const result = await exec("npx", ["--no", "--", "tsc", "-p", "."], {
        cwd: project,
        env,
        timeout: 180_000,
      }).catch((err: { stdout: string }) => err);
      expect(result.stdout).toBe("");
    });
  }, 200_000);

  it("should run every README's TypeScript examples as written", async () => {
    await timed(`README examples on Node ${major}`, async () => {
      for (const { file } of written.filter((w) => !w.file.endsWith(".test.ts"))) {
        const run = await exec("node", [file], { cwd: project, env, timeout: 60_000 }).catch(
          (err: { stderr: string; code: number }) => err,
        );
        expect({ file, stderr: (run as { stderr: string }).stderr }).toEqual({ file, stderr: "" });
      }
      const tests = written.filter((w) => w.file.endsWith(".test.ts")).map((w) => w.file);
      if (tests.length > 0) {
        await exec("npx", ["--no", "--", "vitest", "run", ...tests], { cwd: project, env, timeout: 120_000 });
      }
    });
  }, 400_000);

  it("should serve with `npx tensorwire serve` and pass `npx tensorwire conformance` against it", async () => {
    const { stdout: help } = await exec("npx", ["--no", "--", "tensorwire", "--help"], { cwd: project, env });
    expect(help).toMatch(/^Usage: tensorwire <command>/);
    const server: ChildProcess = spawn(
      "npx",
      ["--no", "--", "tensorwire", "serve", "--port", "0", "--host", "127.0.0.1"],
      {
        cwd: project,
        env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    try {
      server.stderr?.setEncoding("utf8");
      server.stderr?.on("data", (chunk: string) => {
        stderr += chunk;
      });
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        server.stdout?.setEncoding("utf8");
        server.stdout?.on("data", (chunk: string) => {
          out += chunk;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1] !== undefined) resolve(m[1]);
        });
        server.once("exit", (code) =>
          reject(new Error(`tensorwire serve exited with ${code}: ${out}${stderr}`)),
        );
        setTimeout(
          () => reject(new Error(`tensorwire serve did not listen within 60 s: ${out}`)),
          60_000,
        ).unref();
      });
      const address = new URL(url).host;
      // The README's command: every core case runs against the default models.
      const run = await timed(`npx tensorwire conformance on Node ${major}`, () =>
        exec(
          "npx",
          ["--no", "--", "tensorwire", "conformance", "--url", url, "--grpc", address, "--report", "table"],
          { cwd: project, env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
        ),
      );
      expect(run.stdout).toMatch(/Result: OK \(exit 0\)/);
      // npm exec does not pass SIGTERM on to the command: the whole group gets it, as a supervisor's
      // stop would, and the server drains and exits with it.
      const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
      process.kill(-(server.pid as number), "SIGTERM");
      await exited;
      const deadline = Date.now() + 15_000;
      while (groupAlive(server.pid as number) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(groupAlive(server.pid as number)).toBe(false);
      expect(stderr).toContain("SIGTERM, draining in-flight requests");
    } finally {
      try {
        process.kill(-(server.pid as number), "SIGKILL");
      } catch {
        // Already stopped.
      }
    }
  }, 400_000);
});

/** Whether any process of the group `pgid` is still running. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
