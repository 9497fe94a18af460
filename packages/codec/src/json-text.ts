import { invalidArgument } from "./error.js";

/**
 * A JSON value as the JSON dialects in this package read and write it. `bigint` carries integers
 * beyond 2^53 exactly (INT64/UINT64 tensors), which `JSON.parse` and `JSON.stringify` cannot.
 */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * The deepest nesting of arrays and objects `parseJsonText` accepts by default: 100 levels, the
 * recursion limit of protobuf's JSON parsers (protobuf-es, C++, Java), so the server's REST and
 * Connect JSON agree. It leaves room for a tensor of numpy's highest rank (64) inside any
 * dialect's envelope (OIP's `{"inputs": [{"data": ...}]}` adds 3 levels), and keeps every
 * recursive decoder far from the engine's stack limit.
 */
export const defaultMaxJsonDepth = 100;

/** Options of `parseJsonText` and `stringifyJsonText`. */
export interface JsonTextOptions {
  /**
   * Accept (parse) or write (stringify) the bare tokens `NaN`, `Infinity` and `-Infinity`, as
   * TF-Serving's JSON does. Default false: parsing rejects them and stringifying writes non-finite
   * numbers as `null`, like `JSON.stringify`, pandas and orjson.
   */
  readonly nonFiniteTokens: boolean;
  /**
   * Parsing only: the deepest nesting of arrays and objects accepted (`[[1]]` is 2); deeper text
   * is an `invalid_argument` error naming the limit, found before any value is built. Default
   * `defaultMaxJsonDepth` (100).
   */
  readonly maxDepth: number;
}

const defaults: JsonTextOptions = { nonFiniteTokens: false, maxDepth: defaultMaxJsonDepth };

// An integer literal of 16+ digits may exceed 2^53; shorter ones never do, so JSON.parse is exact.
// The literal starts after a structural character or whitespace, which skips fraction and exponent
// digits (a long fraction is a float, which JSON.parse reads exactly as Number() would).
const longInteger = /(?:^|[\s,[:])-?\d{16}/;

/**
 * Parses JSON text. Integers beyond 2^53 become `bigint` so no value is rounded; with
 * `nonFiniteTokens`, the bare tokens NaN, Infinity and -Infinity are accepted outside strings.
 * Text without those (the common case) goes through the engine's `JSON.parse`. Invalid JSON is an
 * `invalid_argument` error.
 *
 * @example
 * parseJsonText('{"data": [9007199254740993]}'); // { data: [9007199254740993n] }
 */
export function parseJsonText(text: string, options: Partial<JsonTextOptions> = {}): JsonValue {
  const opts = { ...defaults, ...options };
  const needsOwnParser = longInteger.test(text) || (opts.nonFiniteTokens && /[NI]/.test(text));
  if (!needsOwnParser) {
    // JSON.parse itself does not recurse, but it would build every level (a 64 MiB body of "["
    // is 32 million arrays) and the decoders that walk its result do recurse: the depth is checked
    // on the text first.
    checkDepth(text, opts.maxDepth);
    try {
      return JSON.parse(text) as JsonValue;
    } catch (err) {
      throw invalidArgument(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return new Parser(text, opts.nonFiniteTokens, opts.maxDepth).parseDocument();
}

function tooDeep(position: number, maxDepth: number): never {
  throw invalidArgument(
    `invalid JSON at position ${position}: nested deeper than ${maxDepth} levels of arrays and objects, the limit`,
  );
}

// Brackets and quotes; everything else (numbers, commas, literals) is skipped by the regular
// expression engine's native scan, about 40x faster than JSON.parse on a numeric tensor.
const structural = /[[\]{}"]/g;

/**
 * Refuses text nested deeper than `maxDepth`, counting brackets outside strings. Invalid text may
 * be miscounted, which is harmless: JSON.parse refuses it next.
 */
function checkDepth(text: string, maxDepth: number): void {
  structural.lastIndex = 0;
  let depth = 0;
  for (let m = structural.exec(text); m !== null; m = structural.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 0x22) {
      // The closing quote is the next one not escaped by an odd number of backslashes.
      let end = text.indexOf('"', m.index + 1);
      for (;;) {
        if (end < 0) {
          return;
        }
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) {
          slashes++;
        }
        if (slashes % 2 === 0) {
          break;
        }
        end = text.indexOf('"', end + 1);
      }
      structural.lastIndex = end + 1;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) {
        tooDeep(m.index, maxDepth);
      }
    } else {
      depth--;
    }
  }
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: boolean,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): JsonValue {
    this.skipSpace();
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.pos !== this.text.length) {
      this.fail("unexpected text after the JSON value");
    }
    return value;
  }

  private fail(what: string): never {
    throw invalidArgument(`invalid JSON at position ${this.pos}: ${what}`);
  }

  private skipSpace(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    // JSON whitespace is exactly space, tab, LF and CR.
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      c = t.charCodeAt(++this.pos);
    }
  }

  /** `depth`: the arrays and objects around the value. */
  private parseValue(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b:
        return this.parseObject(depth);
      case 0x5b:
        return this.parseArray(depth);
      case 0x22:
        return this.parseString();
      case 0x74:
        return this.literal("true", true);
      case 0x66:
        return this.literal("false", false);
      case 0x6e:
        return this.literal("null", null);
      case 0x4e:
        return this.token("NaN", Number.NaN);
      case 0x49:
        return this.token("Infinity", Number.POSITIVE_INFINITY);
      default:
        if (c === 0x2d && this.text.startsWith("-Infinity", this.pos)) {
          return this.token("-Infinity", Number.NEGATIVE_INFINITY);
        }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          return this.parseNumber();
        }
        return this.fail(Number.isNaN(c) ? "unexpected end of text" : "unexpected character");
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) {
      this.fail(`expected ${word}`);
    }
    this.pos += word.length;
    return value;
  }

  private token(word: string, value: number): number {
    if (!this.tokens) {
      this.fail(`${word} is not JSON`);
    }
    return this.literal(word, value);
  }

  private parseNumber(): number | bigint {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === 0x2d) {
      p++;
    }
    const intStart = p;
    p = this.digits(p);
    if (p === intStart || (t.charCodeAt(intStart) === 0x30 && p - intStart > 1)) {
      this.pos = intStart;
      this.fail("invalid number");
    }
    let integer = true;
    if (t.charCodeAt(p) === 0x2e) {
      integer = false;
      const fracStart = ++p;
      p = this.digits(p);
      if (p === fracStart) {
        this.pos = p;
        this.fail("invalid number");
      }
    }
    const e = t.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      p++;
      const sign = t.charCodeAt(p);
      if (sign === 0x2b || sign === 0x2d) {
        p++;
      }
      const expStart = p;
      p = this.digits(p);
      if (p === expStart) {
        this.pos = p;
        this.fail("invalid number");
      }
    }
    this.pos = p;
    const literal = t.slice(start, p);
    const value = Number(literal);
    if (integer && !Number.isSafeInteger(value)) {
      return BigInt(literal);
    }
    return value;
  }

  private digits(p: number): number {
    const t = this.text;
    let c = t.charCodeAt(p);
    while (c >= 0x30 && c <= 0x39) {
      c = t.charCodeAt(++p);
    }
    return p;
  }

  private parseString(): string {
    const t = this.text;
    const start = ++this.pos;
    let p = start;
    // Fast path: no escapes, so the string is a slice of the text.
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x22) {
        this.pos = p + 1;
        return t.slice(start, p);
      }
      if (c === 0x5c || c < 0x20 || Number.isNaN(c)) {
        break;
      }
      p++;
    }
    let out = t.slice(start, p);
    for (;;) {
      const c = t.charCodeAt(p);
      if (Number.isNaN(c)) {
        this.pos = p;
        this.fail("unterminated string");
      }
      if (c === 0x22) {
        this.pos = p + 1;
        return out;
      }
      if (c < 0x20) {
        this.pos = p;
        this.fail("control character in string");
      }
      if (c !== 0x5c) {
        out += t[p];
        p++;
        continue;
      }
      const esc = t[p + 1];
      p += 2;
      switch (esc) {
        case '"':
        case "\\":
        case "/":
          out += esc;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const hex = t.slice(p, p + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = p;
            this.fail("invalid \\u escape");
          }
          out += String.fromCharCode(Number.parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          this.pos = p - 1;
          this.fail("invalid escape");
      }
    }
  }

  private parseArray(depth: number): JsonValue[] {
    if (depth >= this.maxDepth) {
      tooDeep(this.pos, this.maxDepth);
    }
    this.pos++;
    const out: JsonValue[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.parseValue(depth + 1));
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) {
        return out;
      }
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private parseObject(depth: number): { [key: string]: JsonValue } {
    if (depth >= this.maxDepth) {
      tooDeep(this.pos, this.maxDepth);
    }
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x22) {
        this.fail("expected a string key");
      }
      const key = this.parseString();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos++) !== 0x3a) {
        this.pos--;
        this.fail("expected ':'");
      }
      this.skipSpace();
      const value = this.parseValue(depth + 1);
      // A plain assignment to "__proto__" would replace the prototype; JSON.parse defines a property.
      Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) {
        return out;
      }
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }
}

/**
 * Writes JSON text. Unlike `JSON.stringify` it writes `bigint` exactly and keeps -0, as `-0.0`
 * (Python's json reads a bare `-0` as the integer 0, losing the sign and the float type); non-finite
 * numbers become the bare tokens with `nonFiniteTokens`, otherwise `null`. Object entries whose
 * value is `undefined` are skipped, as `JSON.stringify` does.
 *
 * @example
 * stringifyJsonText({ data: [2n ** 63n - 1n, -0] }); // '{"data":[9223372036854775807,-0.0]}'
 */
export function stringifyJsonText(value: JsonValue, options: Partial<JsonTextOptions> = {}): string {
  const opts = { ...defaults, ...options };
  // JSON.stringify is several times faster and writes the same text for plain JSON, so it writes
  // everything but bigint, -0, non-finite numbers to be written as tokens, and values that are not
  // plain JSON (for which `write` throws).
  if (isPlainJson(value, opts.nonFiniteTokens)) {
    return JSON.stringify(value);
  }
  const parts: string[] = [];
  write(value, parts, opts.nonFiniteTokens);
  return parts.join("");
}

function isPlainNumber(n: number, tokens: boolean): boolean {
  return n === 0 ? !Object.is(n, -0) : !tokens || Number.isFinite(n);
}

function isPlainJson(value: unknown, tokens: boolean): boolean {
  switch (typeof value) {
    case "number":
      return isPlainNumber(value, tokens);
    case "string":
    case "boolean":
      return true;
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) {
    return true;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "number" ? !isPlainNumber(item, tokens) : !isPlainJson(item, tokens)) {
        return false;
      }
    }
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return false;
  }
  for (const item of Object.values(value)) {
    if (item !== undefined && !isPlainJson(item, tokens)) {
      return false;
    }
  }
  return true;
}

function write(value: unknown, parts: string[], tokens: boolean): void {
  switch (typeof value) {
    case "number":
      parts.push(numberText(value, tokens));
      return;
    case "bigint":
      parts.push(value.toString());
      return;
    case "string":
      parts.push(JSON.stringify(value));
      return;
    case "boolean":
      parts.push(value ? "true" : "false");
      return;
    case "object":
      break;
    default:
      throw invalidArgument(`cannot write a ${typeof value} as JSON`);
  }
  if (value === null) {
    parts.push("null");
    return;
  }
  if (Array.isArray(value)) {
    parts.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) {
        parts.push(",");
      }
      const item: unknown = value[i];
      if (typeof item === "number") {
        parts.push(numberText(item, tokens));
      } else {
        write(item, parts, tokens);
      }
    }
    parts.push("]");
    return;
  }
  parts.push("{");
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) {
      continue;
    }
    parts.push(first ? "" : ",", JSON.stringify(key), ":");
    first = false;
    write(item, parts, tokens);
  }
  parts.push("}");
}

function numberText(n: number, tokens: boolean): string {
  if (Number.isFinite(n)) {
    return Object.is(n, -0) ? "-0.0" : String(n);
  }
  if (!tokens) {
    return "null";
  }
  return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
}
