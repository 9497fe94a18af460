// Generates the API reference of every published package into docs/api/ (Markdown, one folder per
// package) with TypeDoc and typedoc-plugin-markdown, and checks the documentation on the way: every
// export documented (TypeDoc's notDocumented), every type an export mentions exported too
// (notExported), every {@link} resolving (invalidLink), at least one @example per entry point, and
// every example that imports what it uses (a complete program, not a fragment) type-checking.
//   node scripts/api-docs.ts            write docs/api; exit 1 after writing if anything warned
//   node scripts/api-docs.ts --check    regenerate into a temporary folder; exit 1 on any warning or
//                                       when docs/api differs from it, listing the files
// Entry points come from each package.json's `exports`: one per subpath, its `source` condition.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  Application,
  type DeclarationReflection,
  type JSONOutput,
  LogLevel,
  normalizePath,
  OptionDefaults,
  type ProjectReflection,
  type Reflection,
  ReflectionKind,
  type TypeDocOptions,
} from "typedoc";

const repo = fileURLToPath(new URL("..", import.meta.url));
const projectRoot = normalizePath(resolve(repo));
const docsDir = join(repo, "docs/api");
const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });

interface Workspace {
  name: string;
  dir: string;
  /** The `source` file of each export subpath. */
  entryPoints: string[];
  /** The export subpaths ("." or "./rest"), in the order of `entryPoints`. */
  subpaths: string[];
}

/** The workspaces npm publishes (not "private"), each with the source file of every export subpath. */
function publishedWorkspaces(): Workspace[] {
  const root = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { workspaces: string[] };
  const found: Workspace[] = [];
  for (const dir of root.workspaces) {
    const manifest = JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")) as {
      name: string;
      private?: boolean;
      exports?: Record<string, unknown>;
    };
    if (manifest.private === true) continue;
    const entryPoints: string[] = [];
    const subpaths: string[] = [];
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath === "./package.json") continue;
      const source = (target as { source?: unknown }).source;
      if (typeof source !== "string") {
        throw new Error(`${dir}/package.json: exports["${subpath}"] has no "source" condition`);
      }
      entryPoints.push(join(repo, dir, source));
      subpaths.push(subpath);
    }
    found.push({ name: manifest.name, dir: join(repo, dir), entryPoints, subpaths });
  }
  return found;
}

// protoc-gen-es marks every generated declaration with @generated (the proto element it came from),
// next to the .proto file's own comment when it has one.
const blockTags = [...OptionDefaults.blockTags, "@generated"] as `@${string}`[];

// Every kind users see: TypeDoc's default list, plus constructors, the namespaces of
// @tensorwire/proto/reflection and the entry point modules of packages with several.
const requiredToBeDocumented = [
  ...OptionDefaults.requiredToBeDocumented,
  "Constructor",
  "Namespace",
  "Module",
] as const;

const common: Partial<TypeDocOptions> = {
  logLevel: LogLevel.Warn,
  readme: "none",
  // Source links would carry this checkout's path and git revision into the committed output.
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  sort: ["kind", "instance-first", "alphabetical-ignoring-documents"],
};

/** Converts and validates one package; returns its serialized project and how many warnings it logged. */
async function convertPackage(workspace: Workspace, check: boolean) {
  const app = await Application.bootstrap({
    ...common,
    entryPoints: workspace.entryPoints,
    entryPointStrategy: "resolve",
    tsconfig: join(workspace.dir, "tsconfig.json"),
    blockTags,
    validation: { notExported: true, notDocumented: true, invalidLink: false },
    requiredToBeDocumented: [...requiredToBeDocumented],
    treatWarningsAsErrors: check,
  });
  const project = await app.convert();
  if (project === undefined) throw new Error(`TypeDoc could not convert ${workspace.name}`);
  nameEntryModules(project, workspace);
  app.options.setValue("intentionallyNotDocumented", undocumentedGenerated(app, project));
  app.validate(project);
  let warnings = app.logger.warningCount + app.logger.errorCount;
  warnings += checkExamples(project, workspace);
  const examples = completeExamples(project, workspace);
  const json: JSONOutput.ProjectReflection = app.serializer.projectToObject(project, projectRoot);
  return { json, warnings, examples };
}

/**
 * Names each entry point module after its export subpath ("rest" for `@tensorwire/codec/rest`, "index"
 * for the package root) instead of TypeDoc's default, the file's path below the entry points' common
 * folder, so a page's name is what users import.
 */
function nameEntryModules(project: ProjectReflection, workspace: Workspace) {
  if (workspace.entryPoints.length < 2) return;
  const base = commonFolder(workspace.entryPoints);
  const bySourceName = new Map(
    workspace.entryPoints.map((file, i) => [
      relative(base, file)
        .replace(/\.ts$/, "")
        .replace(/(^|\/)index$/, "") || "index",
      workspace.subpaths[i] === "." ? "index" : (workspace.subpaths[i] ?? "").replace(/^\.\//, ""),
    ]),
  );
  for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
    const name = bySourceName.get(module.name);
    if (name === undefined) throw new Error(`${workspace.name}: no export subpath for module ${module.name}`);
    module.name = name;
  }
}

function commonFolder(files: string[]): string {
  const parts = files.map((f) => dirname(f).split(sep));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join(sep);
}

/**
 * The full names of the declarations protoc-gen-es generated without a comment: the members of a
 * oneof's `case`/`value` pair and of a service descriptor's method entries, which carry no comment
 * in the generator's output. They are exempt from notDocumented because generated code is never
 * edited by hand; every other generated declaration carries its `@generated` comment.
 */
function undocumentedGenerated(app: Application, project: ProjectReflection): string[] {
  const names = new Set<string>();
  for (const reflection of Object.values(project.reflections)) {
    const id = project.getSymbolIdFromReflection(reflection);
    if (id === undefined || !id.packagePath.startsWith("src/gen/")) continue;
    if (reflection.hasComment()) continue;
    if (!reflection.kindOf(ReflectionKind.Property)) continue;
    names.add(reflection.getFriendlyFullName());
  }
  app.logger.verbose(`${names.size} generated properties without comments`);
  return [...names].sort();
}

/** The entry point modules of a converted package: the project itself when it has only one. */
function entryModules(project: ProjectReflection): Reflection[] {
  const modules = project.getChildrenByKind(ReflectionKind.Module);
  return modules.length > 0 ? modules : [project];
}

function hasExample(reflection: Reflection): boolean {
  if (reflection.comment?.getTag("@example")) return true;
  const declaration = reflection as DeclarationReflection;
  return (declaration.signatures ?? []).some((s) => s.comment?.getTag("@example") !== undefined);
}

/** Counts the entry points where neither the module comment nor any export carries an @example. */
function checkExamples(project: ProjectReflection, workspace: Workspace): number {
  let missing = 0;
  for (const module of entryModules(project)) {
    const own = [module, ...((module as DeclarationReflection).children ?? [])];
    if (!own.some(hasExample)) {
      console.error(
        `[warning] ${workspace.name}: entry point ${module === project ? "." : module.name} has no @example`,
      );
      missing++;
    }
  }
  return missing;
}

/** Merges the packages' projects into one site and renders it as Markdown into `out`. */
async function render(projects: JSONOutput.ProjectReflection[], out: string, check: boolean) {
  const app = await Application.bootstrapWithPlugins({
    ...common,
    name: "tensorwire",
    entryPoints: [],
    entryPointStrategy: "merge",
    plugin: ["typedoc-plugin-markdown"],
    out,
    cleanOutputDir: true,
    validation: { notExported: false, notDocumented: false, invalidLink: true },
    treatWarningsAsErrors: check,
    // typedoc-plugin-markdown's options: plain, link-stable pages without breadcrumbs.
    hidePageHeader: true,
    hideBreadcrumbs: true,
    entryFileName: "README.md",
  } as Partial<TypeDocOptions>);
  const project = app.deserializer.reviveProjects("tensorwire", projects, {
    projectRoot,
    registry: app.files,
    alwaysCreateEntryPointModule: false,
  });
  app.validate(project);
  await app.generateOutputs(project);
  return app.logger.warningCount + app.logger.errorCount;
}

interface Example {
  /** Where the example is, e.g. "@tensorwire/client createOipClient". */
  readonly where: string;
  readonly code: string;
}

/**
 * The examples of a package that import what they use: the TypeScript code blocks of every
 * `@example` with an `import` line. Fragments without one (a call on a `client` made elsewhere)
 * read as parts of a larger program and are not compiled.
 */
function completeExamples(project: ProjectReflection, workspace: Workspace): Example[] {
  const examples: Example[] = [];
  const owners: Reflection[] = [project, ...Object.values(project.reflections)];
  for (const owner of owners) {
    for (const tag of owner.comment?.getTags("@example") ?? []) {
      const markdown = tag.content.map((part) => part.text).join("");
      for (const [, code] of markdown.matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
        if (code !== undefined && /^import /m.test(code)) {
          examples.push({ where: `${workspace.name} ${owner.getFriendlyFullName()}`, code });
        }
      }
    }
  }
  return examples;
}

/**
 * Type-checks the examples with the repository's TypeScript and compiler settings, each as a
 * module of its own, resolving the packages through their `source` condition as the tests do.
 * Returns how many failed. The files live under node_modules/.cache so that imports of the
 * packages and their dependencies resolve as in a project that installed them.
 */
function typeCheckExamples(examples: readonly Example[]): number {
  const cache = join(repo, "node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "api-examples-"));
  try {
    const files = examples.map((example, i) => {
      const file = `example-${String(i).padStart(3, "0")}.ts`;
      writeFileSync(join(dir, file), `${example.code}\nexport {};\n`);
      return file;
    });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(repo, "tsconfig.base.json"),
        compilerOptions: { customConditions: ["source"], noEmit: true },
        files,
      }),
    );
    try {
      execFileSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", dir], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      return 0;
    } catch (error) {
      const output = String((error as { stdout?: unknown }).stdout ?? error);
      const failed = new Set<number>();
      for (const line of output.split("\n")) {
        const match = /example-(\d+)\.ts\((\d+),\d+\): (.*)$/.exec(line);
        if (match === null) continue;
        const index = Number(match[1]);
        failed.add(index);
        console.error(`[warning] @example of ${examples[index]?.where}, line ${match[2]}: ${match[3]}`);
      }
      if (failed.size === 0) console.error(output);
      return Math.max(failed.size, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function listFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return files;
  }
  for (const entry of entries.sort()) {
    const path = join(dir, entry);
    try {
      files.set(entry, readFileSync(path, "utf8"));
    } catch {
      // a directory
    }
  }
  return files;
}

const check = values.check ?? false;
const workspaces = publishedWorkspaces();
let warnings = 0;
const projects: JSONOutput.ProjectReflection[] = [];
const examples: Example[] = [];
for (const workspace of workspaces) {
  const converted = await convertPackage(workspace, check);
  warnings += converted.warnings;
  projects.push(converted.json);
  examples.push(...converted.examples);
}
warnings += typeCheckExamples(examples);
const out = check ? mkdtempSync(join(tmpdir(), "tensorwire-api-docs-")) : docsDir;
try {
  warnings += await render(projects, out, check);
  if (check) {
    const committed = listFiles(docsDir);
    const fresh = listFiles(out);
    const differing = [...new Set([...committed.keys(), ...fresh.keys()])]
      .filter((file) => committed.get(file) !== fresh.get(file))
      .sort();
    if (differing.length > 0) {
      console.error(
        `docs/api is out of date (run npm run api-docs); these files differ:\n  ${differing
          .map((f) => relative(repo, join(docsDir, f)))
          .join("\n  ")}`,
      );
      process.exitCode = 1;
    }
  }
} finally {
  if (check) rmSync(out, { recursive: true, force: true });
}
if (warnings > 0) {
  console.error(`api-docs: ${warnings} warning(s)`);
  process.exitCode = 1;
} else if (process.exitCode !== 1) {
  const compiled = `${examples.length} complete examples type-checked`;
  console.log(
    check
      ? `api-docs: docs/api is up to date; ${compiled}`
      : `api-docs: wrote ${relative(repo, docsDir)}; ${compiled}`,
  );
}
