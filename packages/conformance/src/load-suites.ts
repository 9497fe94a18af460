import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { type CaseSpec, parseSuiteFile, type Requirements } from "./case-schema.js";

/** The committed cases: `cases/` beside `src/` and `dist/`. */
export const defaultCasesDir = fileURLToPath(new URL("../cases", import.meta.url));

/** A case ready to run: its suite, full name and the requirements of its file and its own. */
export interface ConformanceCase extends CaseSpec {
  readonly suite: string;
  /** `<suite>/<name>`: what reports, `--only` and known-failing globs use. */
  readonly fullName: string;
  /** The file it came from, relative to the cases directory. */
  readonly file: string;
  readonly requirements: readonly Requirements[];
}

/**
 * Reads every `cases/<suite>/*.yaml`, in sorted order so runs are reproducible. A file's `suite`
 * must equal its folder, and full case names must be unique.
 */
export function loadSuites(casesDir = defaultCasesDir): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const seen = new Map<string, string>();
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
      const parsed = parseSuiteFile(parse(readFileSync(join(casesDir, file), "utf8")), file);
      if (parsed.suite !== suite) {
        throw new Error(`${file}: suite '${parsed.suite}' must equal its folder '${suite}'`);
      }
      for (const c of parsed.cases) {
        const fullName = `${suite}/${c.name}`;
        const other = seen.get(fullName);
        if (other !== undefined) {
          throw new Error(`${file}: case '${fullName}' is also defined in ${other}`);
        }
        seen.set(fullName, file);
        const requirements = [parsed.requires, c.requires].filter((r): r is Requirements => r !== undefined);
        cases.push({ ...c, suite, fullName, file, requirements });
      }
    }
  }
  return cases;
}
