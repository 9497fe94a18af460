import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { parseTimeout } from "@connectrpc/connect/protocol-grpc";
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
import type { DataPlane, ModelRef } from "../core/data-plane.js";
import { isServerFault, toConnectError } from "../transport/errors.js";
import { joinAligned } from "../transport/join-aligned.js";
import {
  isEchoedHeader,
  pipelineVersionFor,
  requestIdFrom,
  requestIdHeader,
  seldonModelHeader,
  targetModel,
} from "../transport/seldon-headers.js";
import {
  compressMinBytes,
  envelope,
  envelopePrefixBytes,
  errorTrailers,
  headerValue,
  incompleteEnvelope,
  responseCompression,
  sortedHeaders,
  splitEnvelopes,
} from "./grpc-wire.js";

/**
 * A fast path for the hot unary RPCs of `inference.GRPCInferenceService` over plain gRPC: a raw
 * `node:http2` stream handler that runs before connect-node. connect-node costs about 3× the CPU
 * of the work itself per small call (a per-call AbortController whose abort builds a DOMException,
 * an async-iterable pipeline, web Headers; see FINDINGS.md), which dominates small-model inference.
 *
 * What it takes: POST, `content-type: application/grpc` or `application/grpc+proto`, no request
 * compression (`grpc-encoding` absent or identity), and a response compression it can produce
 * (none or gzip). Everything else — Connect, gRPC-Web, JSON, br, other RPCs — returns `false` and
 * goes to connect-node unchanged. What it answers is byte-identical to connect-node's answer,
 * headers, trailers and error statuses included (the tests compare both paths).
 */
export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;

export interface FastGrpcOptions {
  /** Receives server faults (internal errors) with the RPC name, as the boundary interceptor logs them. */
  readonly onServerFault: (rpc: string, err: unknown) => void;
}

const service = "inference.GRPCInferenceService";
const gzip = promisify(gzipCallback);

interface Call {
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly signal: AbortSignal | undefined;
}

/**
 * One RPC: `decode` is connect's parse step (its errors carry no echoed headers), `run` the
 * handler behind the boundary interceptor.
 */
interface Rpc<T = unknown> {
  readonly name: string;
  readonly inference: boolean;
  /** Parses a further (extra) request message, only to report what connect would report. */
  readonly schema: DescMessage;
  decode(bytes: Uint8Array): T;
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

export function createFastGrpcHandler(dataPlane: DataPlane, options: FastGrpcOptions): StreamHandler {
  const modelInfer: Rpc<DecodedInfer> = {
    name: "ModelInfer",
    inference: true,
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
    async run(decoded, call) {
      if (!decoded.ok) {
        checkedTarget(decoded.modelName, call.headers);
        throw decoded.error;
      }
      const { request } = decoded;
      const name = checkedTarget(request.modelName ?? "", call.headers);
      const response = await dataPlane.infer(modelRef(name, request.modelVersion ?? ""), request, {
        requestId: call.requestId,
        protocol: "grpc",
        ...(call.signal === undefined ? {} : { signal: call.signal }),
      });
      return inferResponsePieces(
        encodeGrpcInferResponse(response, { contents: decoded.raw ? "raw" : "typed" }),
      );
    },
  };
  const serverLive: Rpc<undefined> = {
    name: "ServerLive",
    inference: false,
    schema: ServerLiveRequestSchema,
    decode: (bytes) => void parse(ServerLiveRequestSchema, bytes),
    run: () => [
      toBinary(ServerLiveResponseSchema, create(ServerLiveResponseSchema, { live: dataPlane.serverLive() })),
    ],
  };
  const serverReady: Rpc<undefined> = {
    name: "ServerReady",
    inference: false,
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
    inference: false,
    schema: ModelReadyRequestSchema,
    decode: (bytes) => parse(ModelReadyRequestSchema, bytes),
    run(req, call) {
      const name = targetModel(req.name, headerValue(call.headers[seldonModelHeader]));
      const ready = dataPlane.modelReady(modelRef(name, req.version));
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
    const contentType = headers["content-type"];
    const encoding = headers["grpc-encoding"];
    if (
      rpc === undefined ||
      headers[":method"] !== "POST" ||
      (contentType !== "application/grpc" && contentType !== "application/grpc+proto") ||
      (encoding !== undefined && encoding !== "identity")
    ) {
      return false;
    }
    const compression = responseCompression(headerValue(headers["grpc-accept-encoding"]));
    if (compression === "br") {
      return false;
    }
    serve(stream, headers, rpc, compression === "gzip", options);
    return true;
  };
}

function serve(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rpc: Rpc,
  gzipResponse: boolean,
  options: FastGrpcOptions,
): void {
  const chunks: Buffer[] = [];
  let total = 0;
  stream.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  stream.once("end", () => {
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
    answer(stream, headers, rpc, gzipResponse, body, options).catch((err: unknown) => {
      options.onServerFault(`${service}/${rpc.name}`, err);
      stream.destroy();
    });
  });
  // A reset or dropped connection: nothing to answer.
  stream.on("error", () => {});
}

async function answer(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rpc: Rpc,
  gzipResponse: boolean,
  body: Uint8Array,
  options: FastGrpcOptions,
): Promise<void> {
  const responseHeaders: [string, string][] = [["content-type", "application/grpc+proto"]];
  if (gzipResponse) {
    responseHeaders.push(["grpc-encoding", "gzip"]);
  }
  let payload: Uint8Array[];
  let echo: [string, string][] = [];
  let deadline: NodeJS.Timeout | undefined;
  let done = false;
  let behindBoundary = false;
  try {
    const timeout = parseTimeout(headerValue(headers["grpc-timeout"]) ?? null, Number.MAX_SAFE_INTEGER);
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
    // From here on, as behind the boundary interceptor, failures carry the echoed headers.
    behindBoundary = true;
    echo = echoedHeaders(headers);
    let requestId = "";
    let signal: AbortSignal | undefined;
    if (rpc.inference) {
      requestId = requestIdFrom(headerValue(headers[requestIdHeader]));
      echo.push([requestIdHeader, requestId], ...pipelineVersionFor(headerValue(headers[seldonModelHeader])));
      const abort = new AbortController();
      signal = abort.signal;
      // Explicit reasons: an abort without one builds a DOMException with a stack trace.
      stream.once("close", () => {
        if (!done) {
          abort.abort(new ConnectError("the client closed the stream", Code.Canceled));
        }
      });
      if (timeout.timeoutMs !== undefined) {
        deadline = setTimeout(
          () => abort.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded)),
          timeout.timeoutMs,
        );
      }
    }
    payload = await rpc.run(first, { headers, requestId, signal });
  } catch (err) {
    done = true;
    clearTimeout(deadline);
    const error = toConnectError(err);
    for (const [name, value] of echo) {
      error.metadata.set(name, value);
    }
    // As connect-node, only failures behind the boundary interceptor are logged, not framing ones.
    if (behindBoundary && isServerFault(error)) {
      options.onServerFault(`${service}/${rpc.name}`, err);
    }
    send(stream, sortedHeaders(responseHeaders), undefined, errorTrailers(error));
    return;
  }
  done = true;
  clearTimeout(deadline);
  const size = payload.reduce((sum, piece) => sum + piece.byteLength, 0);
  const compressed = gzipResponse && size >= compressMinBytes;
  const data = compressed ? [await gzip(Buffer.concat(payload))] : payload;
  send(stream, sortedHeaders([...responseHeaders, ...echo]), envelope(data, compressed), {
    "grpc-status": "0",
  });
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

/** The `x-` headers the call echoes. */
function echoedHeaders(headers: IncomingHttpHeaders): [string, string][] {
  const echo: [string, string][] = [];
  for (const name in headers) {
    if (isEchoedHeader(name)) {
      echo.push([name, headerValue(headers[name]) as string]);
    }
  }
  return echo;
}

function checkedTarget(named: string, headers: IncomingHttpHeaders): string {
  const name = targetModel(named, headerValue(headers[seldonModelHeader]));
  if (name === "") {
    throw new TensorwireError("invalid_argument", "model_name is empty: name the model to run", {
      field: "model_name",
    });
  }
  return name;
}

function modelRef(name: string, version: string): ModelRef {
  return version === "" ? { name } : { name, version };
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
