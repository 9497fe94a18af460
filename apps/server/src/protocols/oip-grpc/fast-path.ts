import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import * as http2 from "node:http2";
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressedFlag, compressionNegotiate, encodeEnvelope } from "@connectrpc/connect/protocol";
import { grpcStatusOk, parseContentType } from "@connectrpc/connect/protocol-grpc";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { type InferRequest, TensorwireError } from "@tensorwire/codec";
import { decodeGrpcInferRequestBinary, encodeGrpcInferResponse } from "@tensorwire/codec/grpc";
import {
  ModelInferRequestSchema,
  type ModelInferResponse,
  ModelInferResponseSchema,
  ModelReadyRequestSchema,
  ModelReadyResponseSchema,
  ServerLiveRequestSchema,
  ServerLiveResponseSchema,
  ServerReadyRequestSchema,
  ServerReadyResponseSchema,
} from "@tensorwire/proto/oip";
import type { DataPlane } from "../../core/data-plane.js";
import { joinAligned } from "../../http/join-aligned.js";
import type { StreamHandler } from "../../http/node-types.js";
import { type CallHeaders, type CallStart, type GrpcCalls, toConnectError } from "../grpc/grpc-calls.js";
import { createEnvelopeLimit, type GrpcLimitOptions, messageTooLarge } from "../grpc/message-limit.js";
import { namedTarget, resolveTarget, seldonModelHeader } from "../seldon-headers.js";
import {
  compressMinBytes,
  envelope,
  envelopePrefixBytes,
  errorTrailers,
  headerValue,
  incompleteEnvelope,
  sortedHeaders,
  splitEnvelopes,
} from "./grpc-wire.js";

/**
 * A fast path for the hot unary RPCs of `inference.GRPCInferenceService` over plain gRPC: a raw
 * `node:http2` stream handler that runs before connect-node. connect-node costs about 3× the CPU
 * of the work itself per small call (a per-call AbortController whose abort builds a DOMException,
 * an async-iterable pipeline, web Headers), which dominates small-model inference.
 *
 * It is the connect path's twin, not a second implementation: both take their request logic
 * (credentials, request id, echoed headers, target, deadline, error → status) from one
 * `GrpcCalls`, so a server with credentials keeps this speed. What it takes: POST, a binary gRPC
 * content type, no request compression (`grpc-encoding` absent or identity), and a response
 * compression it can produce (none or gzip), as connect's own `compressionNegotiate` picks it.
 * Everything else (Connect, gRPC-Web, JSON, br, other RPCs) returns `false` and goes to
 * connect-node unchanged. What it answers is byte-identical to connect-node's answer, headers,
 * trailers and error statuses included (the tests compare both paths), but for a message over
 * `limits.grpcMaxMessageSize`: the same status and message, refused as soon as its envelope prefix
 * arrives, trailers-only, with the stream reset so the client stops sending (see `refuse`).
 */
export function createFastPath(
  dataPlane: DataPlane,
  calls: GrpcCalls,
  limits: GrpcLimitOptions,
): StreamHandler {
  const modelInfer: Rpc<DecodedInfer> = {
    name: "ModelInfer",
    schema: ModelInferRequestSchema,
    decode(bytes) {
      try {
        return { ok: true, request: decodeGrpcInferRequestBinary(bytes), raw: hasRawInputContents(bytes) };
      } catch (error) {
        // The connect path parses, then checks the target model, then converts the tensors; the
        // fast decoder parses and converts at once, so a conversion error waits for the check.
        return { ok: false, modelName: parse(ModelInferRequestSchema, bytes).modelName, error };
      }
    },
    modelName: (decoded) => (decoded.ok ? (decoded.request.modelName ?? "") : decoded.modelName),
    async run(decoded, call) {
      if (!decoded.ok) {
        calls.inferTarget(decoded.modelName, "", call.headers);
        throw decoded.error;
      }
      const { request } = decoded;
      const target = calls.inferTarget(request.modelName ?? "", request.modelVersion ?? "", call.headers);
      const response = await dataPlane.infer(target, request, {
        requestId: call.requestId,
        protocol: "grpc",
        ...(call.signal === undefined ? {} : { signal: call.signal }),
      });
      return inferResponsePieces(
        encodeGrpcInferResponse(response, { contents: calls.outputContents(target, decoded.raw) }),
      );
    },
  };
  const serverLive: Rpc<undefined> = {
    name: "ServerLive",
    schema: ServerLiveRequestSchema,
    decode: (bytes) => void parse(ServerLiveRequestSchema, bytes),
    run: () => [
      toBinary(ServerLiveResponseSchema, create(ServerLiveResponseSchema, { live: dataPlane.serverLive() })),
    ],
  };
  const serverReady: Rpc<undefined> = {
    name: "ServerReady",
    schema: ServerReadyRequestSchema,
    decode: (bytes) => void parse(ServerReadyRequestSchema, bytes),
    run: () => [
      toBinary(
        ServerReadyResponseSchema,
        create(ServerReadyResponseSchema, { ready: dataPlane.serverReady() }),
      ),
    ],
  };
  const modelReady: Rpc<MessageShape<typeof ModelReadyRequestSchema>> = {
    name: "ModelReady",
    schema: ModelReadyRequestSchema,
    decode: (bytes) => parse(ModelReadyRequestSchema, bytes),
    run(req, call) {
      const target = resolveTarget(namedTarget(req.name, req.version), call.headers.get(seldonModelHeader));
      const ready = dataPlane.modelReady(target);
      return [toBinary(ModelReadyResponseSchema, create(ModelReadyResponseSchema, { ready }))];
    },
  };
  const rpcs = new Map<string, Rpc>(
    ([modelInfer, serverLive, serverReady, modelReady] as Rpc[]).map((rpc) => [
      `/${service}/${rpc.name}`,
      rpc,
    ]),
  );

  return (stream, headers) => {
    const rpc = rpcs.get(headers[":path"] as string);
    if (
      rpc === undefined ||
      headers[":method"] !== "POST" ||
      parseContentType(headerValue(headers["content-type"]) ?? null)?.binary !== true
    ) {
      return false;
    }
    const compression = compressionNegotiate(
      acceptCompression,
      headerValue(headers["grpc-encoding"]) ?? null,
      headerValue(headers["grpc-accept-encoding"]) ?? null,
      "grpc-accept-encoding",
    );
    // Compressed requests, unknown encodings and brotli answers are connect's to serve.
    if (
      compression.request !== null ||
      compression.error !== undefined ||
      compression.response === compressionBrotli
    ) {
      return false;
    }
    serve(stream, headers, rpc, compression.response !== null, calls, limits.grpcMaxMessageSize);
    return true;
  };
}

const service = "inference.GRPCInferenceService";

/** The encodings the connect router accepts (`createConnectHandlers`), in its order of preference. */
const acceptCompression = [compressionGzip, compressionBrotli];

interface Call {
  readonly headers: CallHeaders;
  readonly requestId: string;
  readonly signal: AbortSignal | undefined;
}

/**
 * One RPC: `decode` is connect's parse step (its errors carry no echoed headers), `run` the
 * handler behind the boundary.
 */
interface Rpc<T = unknown> {
  readonly name: string;
  /** Parses a further (extra) request message, only to report what connect would report. */
  readonly schema: DescMessage;
  decode(bytes: Uint8Array): T;
  /** The model an inference message names, for the boundary's `x-pipeline-version`. */
  readonly modelName?: (decoded: T) => string;
  /** The serialized response message, in pieces (see `inferResponsePieces`). */
  run(decoded: T, call: Call): Promise<Uint8Array[]> | Uint8Array[];
}

/** The fast decoder's result, or the parsed message and the conversion error to report later. */
type DecodedInfer =
  | { readonly ok: true; readonly request: InferRequest; readonly raw: boolean }
  | { readonly ok: false; readonly modelName: string; readonly error: unknown };

const parse = <D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> => {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    // connect's binary serialization reports unparsable messages this way.
    throw new ConnectError(
      `parse binary: ${err instanceof Error ? err.message : String(err)}`,
      Code.Internal,
    );
  }
};

/** node:http2's request headers as `CallHeaders`. */
function streamCallHeaders(headers: IncomingHttpHeaders): CallHeaders {
  return {
    get: (name) => headerValue(headers[name]),
    forEach(visit) {
      for (const name in headers) {
        // Pseudo-headers (":path"...) are not request metadata; web Headers never hold them.
        if (name.charCodeAt(0) !== 0x3a) {
          visit(headerValue(headers[name]) as string, name);
        }
      }
    },
  };
}

function serve(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rpc: Rpc,
  gzipResponse: boolean,
  calls: GrpcCalls,
  maxMessageSize: number,
): void {
  const chunks: Buffer[] = [];
  let total = 0;
  const oversized = createEnvelopeLimit(maxMessageSize);
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
    const size = oversized(chunks, total);
    if (size !== undefined) {
      refuse(stream, gzipResponse, messageTooLarge(size, maxMessageSize));
      stream.off("data", onData);
      stream.off("end", onEnd);
      chunks.length = 0;
    }
  };
  const onEnd = () => {
    const first = chunks[0] ?? Buffer.alloc(0);
    // The first raw tensor's tag and length are in the first DATA frame: the join aligns its data.
    const body =
      chunks.length === 1
        ? first
        : joinAligned(
            chunks,
            total,
            envelopePrefixBytes + (rawInputContentsOffset(first.subarray(envelopePrefixBytes)) ?? 0),
          );
    answer(stream, headers, rpc, gzipResponse, body, calls).catch((err: unknown) => {
      calls.failure(`${service}/${rpc.name}`, err, []);
      stream.destroy();
    });
  };
  stream.on("data", onData);
  stream.once("end", onEnd);
  // A reset or dropped connection: nothing to answer.
  stream.on("error", () => {});
}

async function answer(
  stream: ServerHttp2Stream,
  rawHeaders: IncomingHttpHeaders,
  rpc: Rpc,
  gzipResponse: boolean,
  body: Uint8Array,
  calls: GrpcCalls,
): Promise<void> {
  const responseHeaders: [string, string][] = [["content-type", "application/grpc+proto"]];
  if (gzipResponse) {
    responseHeaders.push(["grpc-encoding", "gzip"]);
  }
  const headers = streamCallHeaders(rawHeaders);
  let payload: Uint8Array[];
  let start: CallStart | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let done = false;
  try {
    const timeout = calls.deadline(headers.get("grpc-timeout"));
    if (timeout.error !== undefined) {
      throw timeout.error;
    }
    // connect's order: each message is checked and parsed as it arrives, then a unary call
    // complains about a missing or extra message, then the framing of what is left.
    const { envelopes, incomplete } = splitEnvelopes(body);
    const [first] = envelopes.slice(0, 2).map((e, i) => {
      if (e.compressed) {
        throw new ConnectError(
          "received compressed envelope, but do not know how to decompress",
          Code.Internal,
        );
      }
      return i === 0 ? rpc.decode(e.data) : parse(rpc.schema, e.data);
    });
    if (envelopes.length === 0) {
      throw incomplete
        ? incompleteEnvelope()
        : new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
    }
    if (envelopes.length > 1) {
      throw new ConnectError(
        "protocol error: received extra input message for unary method",
        Code.Unimplemented,
      );
    }
    if (incomplete) {
      throw incompleteEnvelope();
    }
    // From here on, as behind connect's boundary interceptor: failures carry the echoed headers,
    // and the credential check comes first.
    start = calls.start(rpc.name, headers, rpc.modelName?.(first));
    calls.authorize(`${service}/${rpc.name}`, headers);
    let signal: AbortSignal | undefined;
    if (start.requestId !== "") {
      const abort = new AbortController();
      signal = abort.signal;
      // Explicit reasons: an abort without one builds a DOMException with a stack trace.
      stream.once("close", () => {
        if (!done) {
          abort.abort(new TensorwireError("cancelled", "the client closed the stream"));
        }
      });
      if (timeout.timeoutMs !== undefined) {
        deadline = setTimeout(
          () => abort.abort(new TensorwireError("deadline_exceeded", "the operation timed out")),
          timeout.timeoutMs,
        );
      }
    }
    payload = await rpc.run(first, { headers, requestId: start.requestId, signal });
  } catch (err) {
    done = true;
    clearTimeout(deadline);
    // As connect-node, failures before the boundary (framing, parsing) carry no echo and are not logged.
    const error =
      start === undefined ? toConnectError(err) : calls.failure(`${service}/${rpc.name}`, err, start.echo);
    send(stream, sortedHeaders(responseHeaders), undefined, errorTrailers(error));
    return;
  }
  done = true;
  clearTimeout(deadline);
  const size = payload.reduce((sum, piece) => sum + piece.byteLength, 0);
  const data =
    gzipResponse && size >= compressMinBytes
      ? [encodeEnvelope(compressedFlag, await compressionGzip.compress(Buffer.concat(payload)))]
      : envelope(payload);
  send(stream, sortedHeaders([...responseHeaders, ...(start as CallStart).echo]), data, {
    "grpc-status": grpcStatusOk,
  });
}

/**
 * Answers a message over the size limit at once with connect's error (before the boundary: no
 * echo), then resets the stream with NO_ERROR, as gRPC servers do when they answer before the
 * request ends, so the client stops sending a body the server will never read. The answer is
 * trailers-only, one HEADERS frame: a reset submitted after separate trailers can overtake them.
 */
function refuse(stream: ServerHttp2Stream, gzipResponse: boolean, error: ConnectError): void {
  if (stream.destroyed || stream.closed) {
    return;
  }
  const headers: [string, string][] = [
    ["content-type", "application/grpc+proto"],
    ...Object.entries(errorTrailers(error)),
  ];
  if (gzipResponse) {
    headers.push(["grpc-encoding", "gzip"]);
  }
  stream.respond({ ":status": 200, ...sortedHeaders(headers) }, { endStream: true });
  stream.close(http2.constants.NGHTTP2_NO_ERROR);
}

function send(
  stream: ServerHttp2Stream,
  headers: Record<string, string>,
  body: readonly Uint8Array[] | undefined,
  trailers: Record<string, string>,
): void {
  if (stream.destroyed || stream.closed) {
    return;
  }
  stream.respond({ ":status": 200, ...headers }, { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers(trailers));
  if (body === undefined) {
    stream.end();
    return;
  }
  const last = body.length - 1;
  for (let i = 0; i < last; i++) {
    stream.write(body[i]);
  }
  stream.end(body[last]);
}

// protobuf-es writes fields in field-number order, and raw_output_contents has the highest.
const rawOutputContentsTag = (ModelInferResponseSchema.field.rawOutputContents.number << 3) | 2;

/**
 * The bytes `toBinary` writes for a response, in pieces: the message without its raw contents,
 * then each raw_output_contents entry's tag and length and the tensor bytes themselves, so that
 * large tensors reach the stream without the two copies `toBinary` and a contiguous envelope make.
 */
function inferResponsePieces(message: ModelInferResponse): Uint8Array[] {
  const raw = message.rawOutputContents;
  if (raw.length === 0) {
    return [toBinary(ModelInferResponseSchema, message)];
  }
  const pieces: Uint8Array[] = [toBinary(ModelInferResponseSchema, { ...message, rawOutputContents: [] })];
  for (const bytes of raw) {
    pieces.push(tagAndLength(rawOutputContentsTag, bytes.byteLength), bytes);
  }
  return pieces;
}

/** A length-delimited field's one-byte tag and its length as a varint. */
function tagAndLength(tag: number, length: number): Uint8Array {
  const out = [tag];
  let n = length;
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/**
 * True when the serialized request has a `raw_input_contents` entry (field 7): the connect path
 * answers raw contents then, typed ones otherwise.
 */
function hasRawInputContents(bytes: Uint8Array): boolean {
  return rawInputContentsOffset(bytes) !== undefined;
}

/**
 * Where the first `raw_input_contents` entry's bytes start in a serialized request, or in the start
 * of one: a walk over top-level tags only, no decoding, that stops where `bytes` ends.
 */
export function rawInputContentsOffset(bytes: Uint8Array): number | undefined {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) {
        return -1;
      }
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        return value;
      }
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    if (tag < 0) {
      return undefined;
    }
    switch (tag & 7) {
      case 0:
        varint();
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        if (length < 0) {
          return undefined;
        }
        if (Math.floor(tag / 8) === 7) {
          return at;
        }
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}
