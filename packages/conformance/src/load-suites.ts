import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, type ScalarTag } from "yaml";
import { type CaseSpec, parseSuiteFile, type Requirements } from "./case-schema.js";

/** The committed cases: `cases/` beside `src/` and `dist/`. */
export const defaultCasesDir = fileURLToPath(new URL("../cases", import.meta.url));

/** A case ready to run: its suite, full name and the requirements of its file and its own. */
export interface ConformanceCase extends CaseSpec {
  /** The suite it belongs to. */
  readonly suite: string;
  /** `<suite>/<name>`: what reports, `--only` and known-failing globs use. */
  readonly fullName: string;
  /** The file it came from, relative to the cases directory. */
  readonly file: string;
  /** The file's requirements, then the case's own: all must hold for it to run. */
  readonly requirements: readonly Requirements[];
  /** Whether its suite is optional (an extension or dialect; see `SuiteFile.optional`). */
  readonly optional: boolean;
}

/**
 * YAML's integers, with those beyond ±(2^53 − 1) as bigints, so a case can send and expect
 * 9007199254740993 exactly (the default reading rounds it to a double).
 */
function exactIntegers(tags: readonly unknown[]): unknown[] {
  return tags.map((tag) => {
    const t = tag as ScalarTag;
    return t.tag === "tag:yaml.org,2002:int" && t.format === undefined
      ? {
          ...t,
          resolve: (source: string) => {
            const n = Number(source);
            return Number.isSafeInteger(n) ? n : BigInt(source);
          },
        }
      : tag;
  });
}

/** Parses one case file's YAML. */
export function parseCaseYaml(text: string): unknown {
  return parse(text, { customTags: exactIntegers as never });
}

/**
 * Reads every `cases/<suite>/*.yaml`, in sorted order so runs are reproducible. A file's `suite`
 * must equal its folder, and full case names must be unique.
 */
export function loadSuites(casesDir = defaultCasesDir): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const seen = new Map<string, string>();
  const optionalBySuite = new Map<string, boolean>();
  const folders = readdirSync(casesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const suite of folders) {
    const files = readdirSync(join(casesDir, suite))
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    for (const name of files) {
      const file = `${suite}/${name}`;
      const parsed = parseSuiteFile(parseCaseYaml(readFileSync(join(casesDir, file), "utf8")), file);
      if (parsed.suite !== suite) {
        throw new Error(`${file}: suite '${parsed.suite}' must equal its folder '${suite}'`);
      }
      const optional = optionalBySuite.get(suite) ?? parsed.optional;
      if (optional !== parsed.optional) {
        throw new Error(`${file}: optional: ${parsed.optional} disagrees with the suite's other files`);
      }
      optionalBySuite.set(suite, optional);
      for (const c of parsed.cases) {
        const fullName = `${suite}/${c.name}`;
        const other = seen.get(fullName);
        if (other !== undefined) {
          throw new Error(`${file}: case '${fullName}' is also defined in ${other}`);
        }
        seen.set(fullName, file);
        const requirements = [parsed.requires, c.requires].filter((r): r is Requirements => r !== undefined);
        for (const r of requirements) {
          const kind = r.probe === undefined ? undefined : "http" in r.probe.request ? "http" : "grpc";
          if (kind !== undefined && !c.steps.some((s) => kind in s.request)) {
            throw new Error(
              `${file}: case '${fullName}' has a ${kind === "http" ? "REST" : "gRPC"} probe but no ${kind === "http" ? "REST" : "gRPC"} step; a probe goes to the endpoint the case tests`,
            );
          }
        }
        cases.push({ ...c, suite, fullName, file, requirements, optional });
      }
    }
  }
  return cases;
}
