import { parseJsonText } from "@tensorwire/codec";
import { decodeBinaryRequest, decodeBinaryResponse, decodeRestInferRequest } from "@tensorwire/codec/rest";
import { blobBytes } from "./blob-bytes.js";
import type { HttpRequestSpec } from "./case-schema.js";
import { type Outcome, type Sent, summarize } from "./outcome.js";

const utf8 = new TextEncoder();

interface Body {
  readonly bytes: Uint8Array | undefined;
  readonly headers: Record<string, string>;
  readonly decode: () => ReturnType<Sent["decode"]>;
}

function buildBody(spec: HttpRequestSpec): Body {
  if (spec.json !== undefined) {
    return {
      bytes: utf8.encode(JSON.stringify(spec.json)),
      headers: { "content-type": "application/json" },
      decode: () => decodeRestInferRequest(spec.json),
    };
  }
  if (spec.text !== undefined) {
    const text = spec.text;
    return {
      bytes: utf8.encode(text),
      headers: { "content-type": "application/json" },
      decode: () => decodeRestInferRequest(parseJsonText(text)),
    };
  }
  if (spec.binary !== undefined) {
    const header = utf8.encode(JSON.stringify(spec.binary.json));
    const parts = [header, ...spec.binary.blobs.map(blobBytes)];
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let pos = 0;
    for (const part of parts) {
      bytes.set(part, pos);
      pos += part.length;
    }
    const headerLength = spec.binary.headerLength ?? String(header.length);
    return {
      bytes,
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": headerLength,
      },
      decode: () => decodeBinaryRequest(bytes, headerLength),
    };
  }
  return {
    bytes: undefined,
    headers: {},
    decode: () => {
      throw new Error("the request has no body");
    },
  };
}

/** `/v2/models/{name}[/versions/{v}]/...`: the model a REST path names. */
function modelFromPath(path: string): string | undefined {
  const match = /^\/v2\/models\/([^/?]+)/.exec(path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/** Sends one REST request; never throws for an HTTP error status, only for a failed connection. */
export async function httpExchange(
  baseUrl: string,
  spec: HttpRequestSpec,
): Promise<{ outcome: Outcome; sent: Sent }> {
  const body = buildBody(spec);
  const headers = { ...body.headers, ...lowerCase(spec.headers ?? {}) };
  const res = await fetch(new URL(spec.path, baseUrl), {
    method: spec.method,
    headers,
    ...(body.bytes === undefined ? {} : { body: body.bytes }),
    // A wrong answer must show as a status, not be followed somewhere else.
    redirect: "manual",
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const responseHeaders: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  const headerLength = responseHeaders["inference-header-content-length"];
  const jsonEnd = headerLength === undefined ? bytes.length : Number(headerLength);
  const jsonText = new TextDecoder().decode(
    bytes.subarray(0, Number.isFinite(jsonEnd) ? jsonEnd : bytes.length),
  );
  let json: unknown;
  try {
    // A superset of JSON: TF-Serving answers with bare NaN and Infinity tokens.
    json = jsonText === "" ? undefined : parseJsonText(jsonText, { nonFiniteTokens: true });
  } catch {
    json = undefined;
  }
  const routedModel = headers["seldon-model"];
  return {
    outcome: {
      status: res.status,
      headers: responseHeaders,
      json,
      summary: summarize(jsonText === "" ? "(empty body)" : jsonText),
      decode: () => decodeBinaryResponse(bytes, headerLength),
    },
    sent: { modelName: routedModel ?? modelFromPath(spec.path), decode: body.decode },
  };
}

function lowerCase(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
