import { type DescMessage, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { datatypeTable, isDatatype } from "@tensorwire/codec";
import { decodeGrpcInferRequest, decodeGrpcInferResponse } from "@tensorwire/codec/grpc";
import { GRPCInferenceService, type ModelInferRequest, type ModelInferResponse } from "@tensorwire/proto/oip";
import { blobBytes } from "./blob-bytes.js";
import { type GrpcCodeName, type GrpcRequestSpec, grpcCodeNames } from "./case-schema.js";
import { type Outcome, type Sent, summarize } from "./outcome.js";

/** A gRPC connection to the server under test, closed after the run. */
export interface GrpcConnection {
  exchange(spec: GrpcRequestSpec): Promise<{ outcome: Outcome; sent: Sent }>;
  close(): void;
}

/** `host:port` or a URL; plaintext unless the URL says https. */
export function grpcBaseUrl(address: string): string {
  return /^https?:\/\//.test(address) ? address : `http://${address}`;
}

export function createGrpcConnection(address: string): GrpcConnection {
  const baseUrl = grpcBaseUrl(address);
  const sessionManager = new Http2SessionManager(baseUrl);
  const transport = createGrpcTransport({ baseUrl, sessionManager });
  const client = createClient(GRPCInferenceService, transport) as unknown as Record<
    string,
    (message: unknown, options: object) => Promise<unknown>
  >;
  return {
    async exchange(spec) {
      const localName = spec.method.charAt(0).toLowerCase() + spec.method.slice(1);
      const method = GRPCInferenceService.method[localName as keyof typeof GRPCInferenceService.method];
      const message = requestMessage(method.input, spec);
      const headers: Record<string, string> = {};
      const keep = (h: Headers) =>
        h.forEach((value, name) => {
          headers[name] = value;
        });
      const sent: Sent = {
        modelName: modelNameOf(message),
        decode: () => decodeGrpcInferRequest(message as ModelInferRequest),
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
          // A conformance run waits for a slow server, but not for a hung one.
          timeoutMs: 30_000,
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
            summary: summarize(JSON.stringify(json)),
            decode: () => decodeGrpcInferResponse(response as ModelInferResponse),
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
            summary: summarize(`${codeName(e.code)}: ${e.rawMessage}`),
            decode: () => {
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

function modelNameOf(message: unknown): string | undefined {
  const m = message as { modelName?: string; name?: string };
  return m.modelName ?? m.name;
}

/**
 * The request message from proto JSON. ModelInfer inputs may give `values` (JSON numbers, strings
 * for BYTES), put into the datatype's contents field so a case need not know which field that is.
 */
function requestMessage(schema: DescMessage, spec: GrpcRequestSpec): object {
  let json = (spec.message ?? {}) as { [key: string]: unknown };
  if (spec.method === "ModelInfer" && Array.isArray(json.inputs)) {
    json = { ...json, inputs: json.inputs.map(typedContents) };
  }
  const message = fromJson(schema, json as JsonValue) as { rawInputContents?: Uint8Array[] };
  if (spec.raw !== undefined) {
    message.rawInputContents = spec.raw.map(blobBytes);
  }
  return message;
}

function typedContents(input: unknown): unknown {
  const { values, ...rest } = input as { values?: unknown[]; datatype?: unknown };
  if (values === undefined) {
    return input;
  }
  if (!isDatatype(rest.datatype)) {
    throw new Error(`input values need an OIP datatype, got ${JSON.stringify(rest.datatype)}`);
  }
  const field = datatypeTable[rest.datatype].contentsField;
  if (field === undefined) {
    throw new Error(`${rest.datatype} has no typed contents field (raw only)`);
  }
  const encoded =
    field === "bytesContents" ? values.map((v) => Buffer.from(String(v), "utf8").toString("base64")) : values;
  return { ...rest, contents: { [field]: encoded } };
}
