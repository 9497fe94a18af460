/**
 * JSON with exact 64-bit integers. `JSON.parse` reads 9007199254740993 as 9007199254740992, which
 * would let a server that loses INT64/UINT64 precision pass; here an integer token outside the
 * safe range becomes a bigint, read from its source text (the JSON.parse source-text access of
 * ES2026, in Node since 21). Writing turns a bigint back into a bare JSON number (`JSON.rawJSON`).
 */

interface ReviverContext {
  readonly source?: string;
}
type Reviver = (this: unknown, key: string, value: unknown, context: ReviverContext) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

const integerToken = /^-?(0|[1-9][0-9]*)$/;

/** Bare non-finite tokens rewritten to these strings before parsing, then back to numbers. */
const nonFiniteMarkers: Readonly<Record<string, number>> = {
  "\u0000NaN": Number.NaN,
  "\u0000Infinity": Number.POSITIVE_INFINITY,
  "\u0000-Infinity": Number.NEGATIVE_INFINITY,
};

/** Options of {@link parseExactJson}. */
export interface ExactJsonOptions {
  /** Also read bare `NaN`, `Infinity` and `-Infinity` (TF-Serving writes them). */
  readonly nonFiniteTokens?: boolean;
}

/** Parses JSON; integers beyond ±(2^53 − 1) come back as bigints. Throws SyntaxError. */
export function parseExactJson(text: string, options: ExactJsonOptions = {}): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      const source = context.source;
      if (source !== undefined && integerToken.test(source)) {
        return BigInt(source);
      }
    }
    if (typeof value === "string" && options.nonFiniteTokens === true && value in nonFiniteMarkers) {
      return nonFiniteMarkers[value];
    }
    return value;
  };
  try {
    return parseWithSource(text, reviver);
  } catch (err) {
    if (options.nonFiniteTokens !== true) {
      throw err;
    }
    return parseWithSource(markNonFiniteTokens(text), reviver);
  }
}

/** Rewrites bare NaN / Infinity / -Infinity outside strings into marker strings. */
function markNonFiniteTokens(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[++i] ?? "";
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const token = ["-Infinity", "Infinity", "NaN"].find((t) => text.startsWith(t, i));
    if (token !== undefined) {
      out += JSON.stringify(`\u0000${token}`);
      i += token.length - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** JSON.stringify that writes bigints as exact JSON numbers. */
export function stringifyExactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? rawJson(v.toString()) : v));
}
