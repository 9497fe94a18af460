import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * docs/deploy.md's table of flags and TENSORWIRE_* variables against `tensorwire serve --help`, so
 * that a flag added to the server without a row (or a row left for a flag that is gone) fails here.
 */

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../apps/server/bin/tensorwire.js", import.meta.url));
const deployDoc = readFileSync(new URL("../../docs/deploy.md", import.meta.url), "utf8");

/** The documented rule: `--foo-bar` is read from `TENSORWIRE_FOO_BAR`. */
const variableOf = (flag: string) => `TENSORWIRE_${flag.toUpperCase().replaceAll("-", "_")}`;

function documentedRows(): [flag: string, variable: string][] {
  const section = deployDoc.split("### Flags and environment variables")[1]?.split("\n### ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `--"))
    .map((line) => {
      const [flag, variable] = line
        .split("|")
        .slice(1, 3)
        .map((cell) => /`([^`]+)`/.exec(cell)?.[1] ?? cell.trim());
      return [(flag ?? "").replace(/^--/, ""), variable ?? ""];
    });
}

describe("docs/deploy.md", () => {
  it("should list every `tensorwire serve` flag with its TENSORWIRE_* variable", async () => {
    const { stdout } = await run(process.execPath, [bin, "serve", "--help"]);
    const flags = [...stdout.matchAll(/^ {2}--([a-z0-9-]+)/gm)]
      .map((m) => m[1] as string)
      .filter((flag) => flag !== "help");
    expect(flags.length).toBeGreaterThan(20);
    expect(stdout).toContain("--foo-bar is also read from TENSORWIRE_FOO_BAR");
    const rows = documentedRows();
    // On a failure, the expected rows are the ones to add to (or keep in) the table.
    expect(rows.map(([flag]) => flag).sort()).toEqual([...flags].sort());
    for (const [flag, variable] of rows) {
      expect(variable, `the row of --${flag}`).toBe(variableOf(flag));
    }
  });
});
