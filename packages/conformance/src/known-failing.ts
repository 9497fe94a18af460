import { globPattern } from "./glob-pattern.js";

/**
 * A server's known deviations: one glob per line over full case names (`<suite>/<case>`), `*`
 * matching within a `/` level and `**` across levels. Each glob needs a `#` comment on the line
 * itself or the lines just above saying why; a glob without a reason is refused, so the file stays
 * an explanation and not a mute list.
 */
export interface KnownFailing {
  /** The globs in file order. */
  readonly globs: readonly {
    /** The glob as written. */
    readonly glob: string;
    /** Why the cases it matches fail: its `#` comment. */
    readonly reason: string;
    /** The glob compiled, matching whole case names. */
    readonly pattern: RegExp;
  }[];
  /** The reason a case is known to fail, or undefined. */
  reasonFor(caseName: string): string | undefined;
}

/**
 * Parses a known-failing file; throws an error naming the line of a glob without a reason.
 *
 * @param where - The file's name, for error messages.
 * @example
 * ```ts
 * import { parseKnownFailing } from "@tensorwire/conformance";
 *
 * const known = parseKnownFailing("oip-rest/infer/fp16-* # the runtime has no FP16 kernels\n");
 * known.reasonFor("oip-rest/infer/fp16-identity"); // "the runtime has no FP16 kernels"
 * ```
 */
export function parseKnownFailing(text: string, where = "known-failing"): KnownFailing {
  const globs: { glob: string; reason: string; pattern: RegExp }[] = [];
  let comment: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") {
      comment = [];
      return;
    }
    if (line.startsWith("#")) {
      comment.push(line.slice(1).trim());
      return;
    }
    const hash = line.indexOf(" #");
    const glob = (hash < 0 ? line : line.slice(0, hash)).trim();
    const inline = hash < 0 ? "" : line.slice(hash + 2).trim();
    const reason = inline !== "" ? inline : comment.join(" ");
    if (reason === "") {
      throw new Error(`${where}:${i + 1}: '${glob}' has no reason; add a # comment saying why it fails`);
    }
    globs.push({ glob, reason, pattern: globPattern(glob) });
  });
  return {
    globs,
    reasonFor: (name) => globs.find((g) => g.pattern.test(name))?.reason,
  };
}
