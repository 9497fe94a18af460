import { readFileSync } from "node:fs";

/**
 * The fields of a Linux `/proc/.../stat` file after the parenthesized command name (which may hold
 * spaces): index 0 is field 3 (state), so field N of proc(5) is index N - 3.
 */
export function procStatFields(path: string): string[] {
  const stat = readFileSync(path, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
