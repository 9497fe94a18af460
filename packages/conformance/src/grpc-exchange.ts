import * as http2 from "node:http2";
import { type DescMessage, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { GRPCInferenceService, type ModelInferResponse } from "@tensorwire/proto/oip";
import { blobBytes } from "./blob-bytes.js";
import { type GrpcCodeName, type GrpcRequestSpec, grpcCodeNames } from "./case-schema.js";
import { datatypeInfo, isDatatype } from "./datatype-table.js";
import { type Outcome, type Sent, summarize } from "./outcome.js";
import { readGrpcRequest } from "./read-request.js";
import { readGrpcResponse } from "./read-response.js";
import { UnreachableError } from "./unreachable-error.js";

/** A conformance run waits for a slow server, but not for a hung one. */
const callTimeoutMs = 30_000;
const connectTimeoutMs = 10_000;

/** A gRPC connection to the server under test, closed after the run. */
export interface GrpcConnection {
  exchange(spec: GrpcRequestSpec): Promise<{ outcome: Outcome; sent: Sent }>;
  close(): void;
}

/** `host:port` or a URL; plaintext unless the URL says https. */
export function grpcBaseUrl(address: string): string {
  return /^https?:\/\//.test(address) ? address : `http://${address}`;
}

/**
 * Checks that `address` answers HTTP/2 (its SETTINGS frame arrives), with an error listener on
 * the session: pointed at an HTTP/1.1 port, connect-node's own session emits an `error` event
 * nobody listens to and the process dies, so a wrong `--grpc` must be caught before it is used.
 */
export async function checkGrpcAddress(address: string): Promise<void> {
  const baseUrl = grpcBaseUrl(address);
  const what = `gRPC ${address}`;
  let session: http2.ClientHttp2Session;
  try {
    session = http2.connect(baseUrl);
  } catch (err) {
    throw UnreachableError.from(err, what);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new UnreachableError(`${what}: no HTTP/2 settings within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      session.once("remoteSettings", () => {
        clearTimeout(timer);
        resolve();
      });
      session.once("error", (err) => {
        clearTimeout(timer);
        reject(UnreachableError.from(err, what));
      });
      session.once("close", () => {
        clearTimeout(timer);
        reject(new UnreachableError(`${what}: the connection closed before HTTP/2 settings arrived`));
      });
    });
  } finally {
    session.on("error", () => {
      // Already reported through the promise above.
    });
    session.destroy();
  }
}

export function createGrpcConnection(address: string): GrpcConnection {
  const baseUrl = grpcBaseUrl(address);
  const sessionManager = new Http2SessionManager(baseUrl);
  const transport = createGrpcTransport({ baseUrl, sessionManager });
  const client = createClient(GRPCInferenceService, transport) as unknown as Record<
    string,
    ((message: unknown, options: object) => Promise<unknown>) | undefined
  >;
  return {
    async exchange(spec) {
      const localName = spec.method.charAt(0).toLowerCase() + spec.method.slice(1);
      const method = GRPCInferenceService.method[localName as keyof typeof GRPCInferenceService.method];
      const message = requestMessage(method.input, spec);
      const raw = spec.raw?.map(blobBytes);
      if (raw !== undefined) {
        (message as { rawInputContents: Uint8Array[] }).rawInputContents = raw;
      }
      const headers: Record<string, string> = {};
      const keep = (h: Headers) =>
        h.forEach((value, name) => {
          headers[name] = value;
        });
      const named = message as { modelName?: string; name?: string; modelVersion?: string; version?: string };
      const version = named.modelVersion ?? named.version;
      const sent: Sent = {
        modelName: spec.headers?.["seldon-model"] ?? named.modelName ?? named.name,
        modelVersion: version === undefined || version === "" ? undefined : version,
        read: () => readGrpcRequest(spec.message, raw),
      };
      const call = client[localName];
      if (call === undefined) {
        throw new Error(`no client method for ${spec.method}`);
      }
      try {
        const response = await call(message, {
          headers: spec.headers ?? {},
          onHeader: keep,
          onTrailer: keep,
          timeoutMs: callTimeoutMs,
        });
        const json = toJson(method.output as DescMessage, response as never, {
          useProtoFieldName: true,
          alwaysEmitImplicit: true,
        });
        return {
          outcome: {
            code: "OK",
            headers,
            json,
            hasBody: true,
            summary: summarize(JSON.stringify(json)),
            read: () => readGrpcResponse(response as ModelInferResponse),
          },
          sent,
        };
      } catch (err) {
        const e = ConnectError.from(err);
        keep(e.metadata);
        return {
          outcome: {
            code: codeName(e.code),
            headers,
            json: undefined,
            hasBody: false,
            summary: summarize(`${codeName(e.code)}: ${e.rawMessage}`),
            read: () => {
              throw new Error("the call failed");
            },
          },
          sent,
        };
      }
    },
    close() {
      sessionManager.abort();
    },
  };
}

function codeName(code: Code): GrpcCodeName {
  return grpcCodeNames[code] ?? "UNKNOWN";
}

/**
 * The request message from proto JSON. ModelInfer inputs may give `values` (JSON numbers, strings
 * for BYTES), put into the datatype's contents field so a case need not know which field that is.
 * 64-bit integers (bigints in the case) go as proto JSON strings.
 */
function requestMessage(schema: DescMessage, spec: GrpcRequestSpec): object {
  let json = (spec.message ?? {}) as { [key: string]: unknown };
  if (spec.method === "ModelInfer" && Array.isArray(json.inputs)) {
    json = { ...json, inputs: json.inputs.map(typedContents) };
  }
  return fromJson(schema, protoJson(json) as JsonValue);
}

function protoJson(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return value.map(protoJson);
  }
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, protoJson(v)]));
  }
  return value;
}

const protoFieldNames: Readonly<Record<string, string>> = {
  boolContents: "bool_contents",
  intContents: "int_contents",
  int64Contents: "int64_contents",
  uintContents: "uint_contents",
  uint64Contents: "uint64_contents",
  fp32Contents: "fp32_contents",
  fp64Contents: "fp64_contents",
  bytesContents: "bytes_contents",
};

function typedContents(input: unknown): unknown {
  const { values, ...rest } = input as { values?: unknown[]; datatype?: unknown };
  if (values === undefined) {
    return input;
  }
  if (!isDatatype(rest.datatype)) {
    throw new Error(`input values need an OIP datatype, got ${JSON.stringify(rest.datatype)}`);
  }
  const field = datatypeInfo[rest.datatype].contentsField;
  if (field === undefined) {
    throw new Error(`${rest.datatype} has no typed contents field (raw only)`);
  }
  const encoded =
    field === "bytesContents" ? values.map((v) => Buffer.from(String(v), "utf8").toString("base64")) : values;
  return { ...rest, contents: { [protoFieldNames[field] as string]: encoded } };
}
