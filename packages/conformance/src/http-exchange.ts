import { blobBytes } from "./blob-bytes.js";
import type { HttpRequestSpec } from "./case-schema.js";
import { parseExactJson, stringifyExactJson } from "./exact-json.js";
import { type Outcome, type Sent, summarize } from "./outcome.js";
import { readRestRequest } from "./read-request.js";
import { readRestResponse } from "./read-response.js";
import { UnreachableError } from "./unreachable-error.js";

const utf8 = new TextEncoder();

/** A conformance run waits for a slow server, but not for a hung one. */
const requestTimeoutMs = 30_000;

interface Body {
  readonly bytes: Uint8Array | undefined;
  readonly headers: Record<string, string>;
  readonly read: Sent["read"];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    bytes.set(part, pos);
    pos += part.length;
  }
  return bytes;
}

function buildBody(spec: HttpRequestSpec): Body {
  if (spec.json !== undefined) {
    const json = spec.json;
    return {
      bytes: utf8.encode(stringifyExactJson(json)),
      headers: { "content-type": "application/json" },
      read: () => readRestRequest(json),
    };
  }
  if (spec.text !== undefined) {
    const text = spec.text;
    return {
      bytes: utf8.encode(text),
      headers: { "content-type": "application/json" },
      read: () => readRestRequest(parseExactJson(text)),
    };
  }
  if (spec.binary !== undefined) {
    const { json } = spec.binary;
    const header = utf8.encode(stringifyExactJson(json));
    const blobs = concat(spec.binary.blobs.map(blobBytes));
    return {
      bytes: concat([header, blobs]),
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": spec.binary.headerLength ?? String(header.length),
      },
      read: () => readRestRequest(json, blobs),
    };
  }
  return {
    bytes: undefined,
    headers: {},
    read: () => {
      throw new Error("the request has no body");
    },
  };
}

/** `/v2/models/{name}[/versions/{v}]/...`: the model and version a REST path names. */
function modelFromPath(path: string): { name?: string; version?: string } {
  const match = /^\/v2\/models\/([^/?]+)(?:\/versions\/([^/?]+))?/.exec(path);
  return {
    ...(match?.[1] === undefined ? {} : { name: decodeURIComponent(match[1]) }),
    ...(match?.[2] === undefined ? {} : { version: decodeURIComponent(match[2]) }),
  };
}

/**
 * Sends one REST request. Never throws for an HTTP error status; throws `UnreachableError` when
 * no HTTP answer came (connection refused, reset, timeout).
 */
export async function httpExchange(
  baseUrl: string,
  spec: HttpRequestSpec,
): Promise<{ outcome: Outcome; sent: Sent }> {
  const body = buildBody(spec);
  const headers = { ...body.headers, ...lowerCase(spec.headers ?? {}) };
  const url = new URL(spec.path, baseUrl);
  const send = () =>
    fetch(url, {
      method: spec.method,
      headers,
      ...(body.bytes === undefined ? {} : { body: body.bytes }),
      // A wrong answer must show as a status, not be followed somewhere else.
      redirect: "manual",
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
  let res: Response;
  try {
    try {
      res = await send();
    } catch (err) {
      // A kept-alive connection the server closed between two requests (uvicorn does after
      // some errors) fails the next request before it is sent: one retry on a fresh connection.
      if (!closedBeforeAnswer(err)) {
        throw err;
      }
      res = await send();
    }
  } catch (err) {
    throw UnreachableError.from(err, `${spec.method} ${url.href}`);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const responseHeaders: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  const headerLength = responseHeaders["inference-header-content-length"];
  const jsonEnd = headerLength === undefined ? bytes.length : Number(headerLength);
  const split = Number.isSafeInteger(jsonEnd) && jsonEnd >= 0 && jsonEnd <= bytes.length;
  const jsonText = new TextDecoder().decode(split ? bytes.subarray(0, jsonEnd) : bytes);
  let json: unknown;
  try {
    // TF-Serving (and KServe V1 through Python's json) write bare NaN and Infinity tokens.
    json =
      jsonText === ""
        ? undefined
        : parseExactJson(jsonText, { nonFiniteTokens: spec.path.startsWith("/v1/") });
  } catch {
    json = undefined;
  }
  const routed = headers["seldon-model"];
  const addressed = modelFromPath(spec.path);
  return {
    outcome: {
      status: res.status,
      headers: responseHeaders,
      json,
      hasBody: bytes.length > 0,
      summary: summarize(jsonText === "" ? "(empty body)" : jsonText),
      read: () => {
        if (headerLength !== undefined && !split) {
          throw new Error(
            `inference-header-content-length ${JSON.stringify(headerLength)} does not fit the body`,
          );
        }
        if (json === undefined) {
          throw new Error("the body is not JSON");
        }
        return readRestResponse(json, headerLength === undefined ? undefined : bytes.subarray(jsonEnd));
      },
    },
    sent: { modelName: routed ?? addressed.name, modelVersion: addressed.version, read: body.read },
  };
}

function closedBeforeAnswer(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return code === "UND_ERR_SOCKET" || code === "ECONNRESET";
}

function lowerCase(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
