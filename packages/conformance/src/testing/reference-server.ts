import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  GRPCInferenceService,
  type InferTensorContents,
  type ModelInferRequest,
  ModelInferResponseSchema,
} from "@tensorwire/proto/oip";
import { type Datatype, datatypeInfo, datatypes, isDatatype } from "../datatype-table.js";
import { parseExactJson, stringifyExactJson } from "../exact-json.js";
import {
  type Element,
  elementCount,
  elementFromJson,
  elementsFromRaw,
  jsonFromElement,
  type OracleTensor,
  rawFromElements,
} from "../tensor-elements.js";

/**
 * A small Open Inference Protocol server (REST on node:http, gRPC on node:http2 through
 * connect-node) serving the conformance models, for testing the suite itself: with no fault it
 * passes every core case; each fault below breaks one thing a server can get wrong, and the suite
 * must then exit non-zero. Test code: no extensions, no dialects, version "1" only.
 */
export const faults = {
  // REST answers
  "rest-shape-flattened": "REST outputs report a flat shape [n] instead of the input's",
  "rest-output-renamed": "REST outputs are named output0 instead of OUTPUT0",
  "rest-datatype-widened": "REST FP32 outputs are labelled FP64",
  "rest-version-wrong": 'REST responses say model_version "2" for version "1"',
  "rest-int64-through-double": "REST writes INT64/UINT64 outputs through a double (2^53 + 1 becomes 2^53)",
  "rest-float-six-digits": "REST writes float outputs with 6 significant digits",
  "rest-html-content-type": "REST labels its JSON answers text/html",
  "rest-error-text-plain": "REST error bodies are labelled text/plain",
  "rest-error-detail-body": 'REST error bodies are {"detail": ...} instead of {"error": ...}',
  "rest-client-errors-500": "REST answers a client's mistake with 500",
  "rest-unknown-model-500": "REST answers an unknown model with 500",
  "rest-all-outputs": "REST ignores the requested outputs and returns all",
  "rest-id-dropped": "REST drops the request id",
  "rest-model-name-wrong": 'REST responses name the model "model"',
  "rest-bool-as-numbers": "REST writes BOOL outputs as 1/0",
  "rest-bytes-base64": "REST writes BYTES outputs base64-encoded",
  "rest-empty-tensor-500": "REST answers a zero-size tensor with 500",
  "rest-shape-unchecked": "REST runs inputs whose shape the model cannot take",
  "rest-negative-dimension": "REST takes -1 in a request shape as 'infer this dimension'",
  "rest-count-unchecked": "REST drops data elements beyond what the shape holds",
  "rest-nested-column-major": "REST flattens nested data column by column",
  "rest-not-ready": "REST GET /v2/health/ready answers 503",
  // discovery
  "rest-model-metadata-404": 'GET /v2/models/{name} answers 404 {"error"} for every model (inference works)',
  "rest-model-metadata-500": "GET /v2/models/{name} answers 500",
  "rest-server-metadata-404": "GET /v2 answers 404",
  "no-models": "the server serves no models at all",
  // gRPC answers
  "grpc-raw-big-endian": "gRPC raw outputs are big-endian",
  "grpc-bytes-prefix-big-endian": "gRPC raw BYTES length prefixes are big-endian",
  "grpc-raw-and-contents": "gRPC responses set typed contents next to raw_output_contents",
  "grpc-version-wrong": 'gRPC responses say model_version "2" for version "1"',
  "grpc-shape-flattened": "gRPC outputs report a flat shape",
  "grpc-int64-through-double": "gRPC writes INT64/UINT64 outputs through a double",
  "grpc-all-outputs": "gRPC ignores the requested outputs",
  "grpc-invalid-argument-as-internal": "gRPC answers a client's mistake with INTERNAL",
  "grpc-not-found-as-unknown": "gRPC answers an unknown model with UNKNOWN",
  "grpc-model-metadata-unimplemented": "gRPC ModelMetadata is UNIMPLEMENTED",
  "grpc-no-models": "gRPC serves no models (REST does)",
} as const;

export type Fault = keyof typeof faults;

export interface ReferenceServer {
  /** REST base URL. */
  readonly url: string;
  /** gRPC `host:port`. */
  readonly grpcAddress: string;
  close(): Promise<void>;
}

interface TensorMeta {
  readonly name: string;
  readonly datatype: Datatype;
  /** -1 for a dimension of any size. */
  readonly shape: readonly number[];
}

interface Model {
  readonly name: string;
  readonly inputs: readonly TensorMeta[];
  readonly outputs: readonly TensorMeta[];
  readonly run: (inputs: ReadonlyMap<string, OracleTensor>) => OracleTensor[];
}

const version = "1";

function tensor(name: string, from: OracleTensor, elements: Element[], datatype = from.datatype) {
  return { name, datatype, shape: from.shape, elements };
}

function get(inputs: ReadonlyMap<string, OracleTensor>, name: string): OracleTensor {
  return inputs.get(name) as OracleTensor;
}

const fp = (n: number) => (Object.is(n, -0) ? "-0" : String(n));

function conformanceModels(): Model[] {
  const identity = datatypes.map(
    (dt): Model => ({
      name: `identity_${dt.toLowerCase()}`,
      inputs: [{ name: "INPUT0", datatype: dt, shape: [-1, -1] }],
      outputs: [{ name: "OUTPUT0", datatype: dt, shape: [-1, -1] }],
      run: (inputs) => [tensor("OUTPUT0", get(inputs, "INPUT0"), [...get(inputs, "INPUT0").elements])],
    }),
  );
  const int32 = (name: string): TensorMeta => ({ name, datatype: "INT32", shape: [-1, 16] });
  const wrap = (v: bigint) => String(BigInt.asIntN(32, v));
  const tfsimple: Model = {
    name: "tfsimple",
    inputs: [int32("INPUT0"), int32("INPUT1")],
    outputs: [int32("OUTPUT0"), int32("OUTPUT1")],
    run: (inputs) => {
      const a = get(inputs, "INPUT0");
      const b = get(inputs, "INPUT1").elements.map(BigInt);
      return [
        tensor(
          "OUTPUT0",
          a,
          a.elements.map((x, i) => wrap(BigInt(x) + (b[i] as bigint))),
        ),
        tensor(
          "OUTPUT1",
          a,
          a.elements.map((x, i) => wrap(BigInt(x) - (b[i] as bigint))),
        ),
      ];
    },
  };
  const mixed: Model = {
    name: "mixed_outputs",
    inputs: [{ name: "INPUT0", datatype: "FP32", shape: [-1, 4] }],
    outputs: [
      { name: "OUTPUT0", datatype: "FP32", shape: [-1, 4] },
      { name: "OUTPUT1", datatype: "INT64", shape: [-1, 4] },
      { name: "OUTPUT2", datatype: "BOOL", shape: [-1, 4] },
    ],
    run: (inputs) => {
      const x = get(inputs, "INPUT0");
      const v = x.elements.map(Number);
      return [
        tensor(
          "OUTPUT0",
          x,
          v.map((n) => fp(Math.fround(2 * n))),
        ),
        tensor(
          "OUTPUT1",
          x,
          v.map((n) => String(Math.trunc(n))),
          "INT64",
        ),
        tensor(
          "OUTPUT2",
          x,
          v.map((n) => String(n > 0)),
          "BOOL",
        ),
      ];
    },
  };
  return [...identity, tfsimple, mixed];
}

/** A client's mistake or an unknown model, answered 400/404 or INVALID_ARGUMENT/NOT_FOUND. */
class RequestError extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

interface InferCall {
  readonly inputs: readonly OracleTensor[];
  readonly outputs: readonly string[] | undefined;
}

/** The model checks both protocols share, then the model itself. */
function infer(
  model: Model,
  call: InferCall,
  fault: Fault | undefined,
  protocol: "rest" | "grpc",
): OracleTensor[] {
  const given = new Map<string, OracleTensor>();
  for (const input of call.inputs) {
    if (given.has(input.name)) {
      throw new RequestError(`input '${input.name}' appears twice`);
    }
    const meta = model.inputs.find((m) => m.name === input.name);
    if (meta === undefined) {
      throw new RequestError(`model '${model.name}' has no input '${input.name}'`);
    }
    if (meta.datatype !== input.datatype) {
      throw new RequestError(`input '${input.name}': expected ${meta.datatype}, got ${input.datatype}`);
    }
    const fits =
      meta.shape.length === input.shape.length &&
      meta.shape.every((d, i) => d === -1 || d === input.shape[i]);
    if (!fits && fault !== "rest-shape-unchecked") {
      throw new RequestError(`input '${input.name}': shape [${input.shape}] does not fit [${meta.shape}]`);
    }
    given.set(input.name, input);
  }
  for (const meta of model.inputs) {
    if (!given.has(meta.name)) {
      throw new RequestError(`missing input '${meta.name}'`);
    }
  }
  for (const name of call.outputs ?? []) {
    if (!model.outputs.some((o) => o.name === name)) {
      throw new RequestError(`model '${model.name}' has no output '${name}'`);
    }
  }
  if (
    fault === "rest-empty-tensor-500" &&
    protocol === "rest" &&
    call.inputs.some((t) => t.elements.length === 0)
  ) {
    throw new Error("cannot run an empty tensor");
  }
  const outputs = model.run(given);
  const ignoreRequested =
    (fault === "rest-all-outputs" && protocol === "rest") ||
    (fault === "grpc-all-outputs" && protocol === "grpc");
  return call.outputs === undefined || ignoreRequested
    ? outputs
    : outputs.filter((o) => call.outputs?.includes(o.name));
}

function metadataJson(model: Model) {
  const meta = (t: TensorMeta) => ({ name: t.name, datatype: t.datatype, shape: t.shape });
  return {
    name: model.name,
    versions: [version],
    platform: "reference",
    inputs: model.inputs.map(meta),
    outputs: model.outputs.map(meta),
  };
}

// ---------------------------------------------------------------------------------------------
// REST

/** Nested data must follow the shape exactly (flat data is also accepted). */
function flattenRest(data: unknown, shape: readonly number[], fault: Fault | undefined): unknown[] {
  if (!Array.isArray(data)) {
    throw new RequestError("data: expected an array");
  }
  if (!data.some(Array.isArray)) {
    return data;
  }
  const walk = (node: unknown, depth: number): unknown[] => {
    if (depth === shape.length) {
      if (Array.isArray(node)) {
        throw new RequestError("data: nested deeper than the shape");
      }
      return [node];
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new RequestError(`data: nesting does not follow shape [${shape}]`);
    }
    return node.flatMap((child) => walk(child, depth + 1));
  };
  const flat = walk(data, 0);
  if (fault === "rest-nested-column-major" && shape.length === 2) {
    const [rows, cols] = shape as [number, number];
    return Array.from({ length: flat.length }, (_, i) => flat[(i % rows) * cols + Math.floor(i / rows)]);
  }
  return flat;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkParameters(value: unknown, where: string): void {
  if (value === undefined) {
    return;
  }
  if (!isObject(value)) {
    throw new RequestError(`${where}: expected an object`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (!["string", "number", "boolean", "bigint"].includes(typeof v)) {
      throw new RequestError(`${where}.${key}: expected a string, number or boolean`);
    }
  }
}

function readRestInputs(body: unknown, fault: Fault | undefined): InferCall {
  if (!isObject(body) || !Array.isArray(body.inputs)) {
    throw new RequestError("inputs: expected an array");
  }
  checkParameters(body.parameters, "parameters");
  const inputs = body.inputs.map((raw, i): OracleTensor => {
    const where = `inputs[${i}]`;
    if (!isObject(raw) || typeof raw.name !== "string") {
      throw new RequestError(`${where}.name: expected a string`);
    }
    checkParameters(raw.parameters, `${where}.parameters`);
    if (!isDatatype(raw.datatype)) {
      throw new RequestError(`${where}.datatype: expected an OIP datatype`);
    }
    const datatype = raw.datatype;
    if (!Array.isArray(raw.shape)) {
      throw new RequestError(`${where}.shape: expected an array`);
    }
    let shape = raw.shape.map((d) => {
      const allowed = fault === "rest-negative-dimension" ? d === -1 : false;
      if (!Number.isSafeInteger(d) || ((d as number) < 0 && !allowed)) {
        throw new RequestError(`${where}.shape: expected non-negative integers`);
      }
      return d as number;
    });
    let values = flattenRest(raw.data, shape, fault);
    if (shape.includes(-1)) {
      const known = shape.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
      shape = shape.map((d) => (d === -1 ? values.length / known : d));
    }
    const count = elementCount(shape);
    if (fault === "rest-count-unchecked" && values.length > count) {
      values = values.slice(0, count);
    }
    if (values.length !== count) {
      throw new RequestError(`${where}: ${values.length} elements for shape [${shape}]`);
    }
    const elements = values.map((v, j) => {
      const element = elementFromJson(datatype, v);
      if (typeof element !== "string") {
        throw new RequestError(`${where}.data[${j}]: ${element.error}`);
      }
      return element;
    });
    return { name: raw.name, datatype, shape, elements };
  });
  let outputs: string[] | undefined;
  if (Array.isArray(body.outputs) && body.outputs.length > 0) {
    outputs = body.outputs.map((o, i) => {
      if (!isObject(o) || typeof o.name !== "string") {
        throw new RequestError(`outputs[${i}].name: expected a string`);
      }
      checkParameters(o.parameters, `outputs[${i}].parameters`);
      return o.name;
    });
  }
  return { inputs, outputs };
}

function restOutput(t: OracleTensor, fault: Fault | undefined) {
  const value = (e: Element): unknown => {
    const info = datatypeInfo[t.datatype];
    if (fault === "rest-int64-through-double" && info.size === 8 && info.kind !== "float") {
      return Number(e);
    }
    if (fault === "rest-float-six-digits" && info.kind === "float") {
      return Number(Number(e).toPrecision(6));
    }
    if (fault === "rest-bool-as-numbers" && info.kind === "bool") {
      return e === "true" ? 1 : 0;
    }
    if (fault === "rest-bytes-base64" && info.kind === "bytes") {
      return Buffer.from(e, "hex").toString("base64");
    }
    return jsonFromElement(t.datatype, e);
  };
  return {
    name: fault === "rest-output-renamed" ? t.name.toLowerCase() : t.name,
    datatype: fault === "rest-datatype-widened" && t.datatype === "FP32" ? "FP64" : t.datatype,
    shape: fault === "rest-shape-flattened" ? [t.elements.length] : t.shape,
    data: t.elements.map(value),
  };
}

function restHandler(models: ReadonlyMap<string, Model>, fault: Fault | undefined): http.RequestListener {
  const send = (res: http.ServerResponse, status: number, body?: unknown) => {
    const error = status >= 400;
    const type =
      fault === "rest-html-content-type"
        ? "text/html"
        : error && fault === "rest-error-text-plain"
          ? "text/plain"
          : "application/json";
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { "content-type": type }).end(stringifyExactJson(body));
  };
  const sendError = (res: http.ServerResponse, status: number, message: string) => {
    const s = status === 400 && fault === "rest-client-errors-500" ? 500 : status;
    send(res, s, fault === "rest-error-detail-body" ? { detail: message } : { error: message });
  };
  const findModel = (name: string, v: string | undefined): Model => {
    const model = models.get(name);
    if (model === undefined || (v !== undefined && v !== version)) {
      throw new RequestError(`unknown model '${name}'${v === undefined ? "" : ` version '${v}'`}`, true);
    }
    return model;
  };
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const method = req.method ?? "GET";
      const only = (allowed: string, then: () => void) => {
        if (method === allowed) {
          then();
        } else {
          res.setHeader("allow", allowed);
          sendError(res, 405, `${method} is not allowed on ${path}`);
        }
      };
      const model = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
      try {
        if (path === "/v2/health/live") {
          only("GET", () => send(res, 200));
        } else if (path === "/v2/health/ready") {
          only("GET", () => send(res, fault === "rest-not-ready" ? 503 : 200));
        } else if (path === "/v2" || path === "/v2/") {
          only("GET", () =>
            fault === "rest-server-metadata-404"
              ? sendError(res, 404, "not found")
              : send(res, 200, { name: "reference", version: "1", extensions: [] }),
          );
        } else if (model !== null) {
          const [, rawName, v, action] = model;
          const name = decodeURIComponent(rawName as string);
          if (action === undefined) {
            only("GET", () => {
              if (fault === "rest-model-metadata-404") {
                throw new RequestError(`unknown model '${name}'`, true);
              }
              if (fault === "rest-model-metadata-500") {
                throw new Error("metadata store unavailable");
              }
              send(res, 200, metadataJson(findModel(name, v)));
            });
          } else if (action === "/ready") {
            only("GET", () => {
              findModel(name, v);
              send(res, 200);
            });
          } else {
            only("POST", () => {
              const found = findModel(name, v);
              let body: unknown;
              try {
                body = parseExactJson(Buffer.concat(chunks).toString("utf8"));
              } catch {
                throw new RequestError("the body is not JSON");
              }
              const call = readRestInputs(body, fault);
              const outputs = infer(found, call, fault, "rest");
              const id = isObject(body) && typeof body.id === "string" ? body.id : undefined;
              send(res, 200, {
                model_name: fault === "rest-model-name-wrong" ? "model" : found.name,
                model_version: fault === "rest-version-wrong" ? "2" : version,
                ...(id === undefined || fault === "rest-id-dropped" ? {} : { id }),
                outputs: outputs.map((t) => restOutput(t, fault)),
              });
            });
          }
        } else {
          sendError(res, 404, `no route ${path}`);
        }
      } catch (err) {
        if (err instanceof RequestError) {
          const unknownModel = err.notFound && fault === "rest-unknown-model-500";
          sendError(res, unknownModel ? 500 : err.notFound ? 404 : 400, err.message);
        } else {
          sendError(res, 500, (err as Error).message);
        }
      }
    });
  };
}

// ---------------------------------------------------------------------------------------------
// gRPC

function grpcError(err: unknown, fault: Fault | undefined): ConnectError {
  if (err instanceof RequestError) {
    if (err.notFound) {
      return new ConnectError(
        err.message,
        fault === "grpc-not-found-as-unknown" ? Code.Unknown : Code.NotFound,
      );
    }
    return new ConnectError(
      err.message,
      fault === "grpc-invalid-argument-as-internal" ? Code.Internal : Code.InvalidArgument,
    );
  }
  return new ConnectError((err as Error).message, Code.Internal);
}

function hasContents(contents: InferTensorContents | undefined): boolean {
  return datatypes.some((dt) => {
    const field = datatypeInfo[dt].contentsField;
    return field !== undefined && (contents?.[field].length ?? 0) > 0;
  });
}

function readGrpcInputs(request: ModelInferRequest): InferCall {
  const raw = request.rawInputContents;
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    throw new RequestError(`${raw.length} raw_input_contents for ${request.inputs.length} inputs`);
  }
  const inputs = request.inputs.map((input, i): OracleTensor => {
    const where = `inputs[${i}]`;
    if (!isDatatype(input.datatype)) {
      throw new RequestError(`${where}.datatype: expected an OIP datatype`);
    }
    const datatype = input.datatype;
    const shape = input.shape.map((d) => {
      if (d < 0n) {
        throw new RequestError(`${where}.shape: expected non-negative dimensions`);
      }
      return Number(d);
    });
    let elements: Element[];
    if (raw.length > 0) {
      if (hasContents(input.contents)) {
        throw new RequestError(`${where}: contents set next to raw_input_contents`);
      }
      try {
        elements = elementsFromRaw(datatype, raw[i] as Uint8Array);
      } catch (err) {
        throw new RequestError(`${where}: ${(err as Error).message}`);
      }
    } else {
      const field = datatypeInfo[datatype].contentsField;
      if (field === undefined) {
        throw new RequestError(`${where}: ${datatype} must use raw_input_contents`);
      }
      elements = (input.contents?.[field] ?? []).map((v: unknown, j: number) => {
        const element = elementFromJson(datatype, v);
        if (typeof element !== "string") {
          throw new RequestError(`${where}.contents[${j}]: ${element.error}`);
        }
        return element;
      });
    }
    if (elements.length !== elementCount(shape)) {
      throw new RequestError(`${where}: ${elements.length} elements for shape [${shape}]`);
    }
    return { name: input.name, datatype, shape, elements };
  });
  const outputs = request.outputs.length === 0 ? undefined : request.outputs.map((o) => o.name);
  return { inputs, outputs };
}

function grpcRaw(t: OracleTensor, fault: Fault | undefined): Uint8Array {
  const info = datatypeInfo[t.datatype];
  const elements =
    fault === "grpc-int64-through-double" && info.size === 8 && info.kind !== "float"
      ? t.elements.map((e) => String(BigInt(Number(e))))
      : t.elements;
  const bytes = rawFromElements(t.datatype, elements);
  if (fault === "grpc-raw-big-endian" && info.size > 1) {
    for (let pos = 0; pos < bytes.length; pos += info.size) {
      bytes.subarray(pos, pos + info.size).reverse();
    }
  }
  if (fault === "grpc-bytes-prefix-big-endian" && info.kind === "bytes") {
    for (let pos = 0; pos < bytes.length; ) {
      const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(pos, true);
      bytes.subarray(pos, pos + 4).reverse();
      pos += 4 + length;
    }
  }
  return bytes;
}

function grpcRoutes(models: ReadonlyMap<string, Model>, fault: Fault | undefined) {
  const served = fault === "grpc-no-models" ? new Map<string, Model>() : models;
  const findModel = (name: string, v: string): Model => {
    const model = served.get(name);
    if (model === undefined || (v !== "" && v !== version)) {
      throw new RequestError(`unknown model '${name}'${v === "" ? "" : ` version '${v}'`}`, true);
    }
    return model;
  };
  const guard =
    <A, R>(handler: (arg: A) => R) =>
    (arg: A): R => {
      try {
        return handler(arg);
      } catch (err) {
        throw grpcError(err, fault);
      }
    };
  return (router: ConnectRouter) =>
    router.service(GRPCInferenceService, {
      serverLive: () => ({ live: true }),
      serverReady: () => ({ ready: true }),
      serverMetadata: () => ({ name: "reference", version: "1", extensions: [] }),
      modelReady: (req) => ({
        ready: served.has(req.name) && (req.version === "" || req.version === version),
      }),
      modelMetadata: guard((req) => {
        if (fault === "grpc-model-metadata-unimplemented") {
          throw new ConnectError("ModelMetadata is not implemented", Code.Unimplemented);
        }
        const meta = (t: TensorMeta) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(BigInt) });
        const model = findModel(req.name, req.version);
        return {
          name: model.name,
          versions: [version],
          platform: "reference",
          inputs: model.inputs.map(meta),
          outputs: model.outputs.map(meta),
        };
      }),
      modelInfer: guard((req) => {
        const model = findModel(req.modelName, req.modelVersion);
        const outputs = infer(model, readGrpcInputs(req), fault, "grpc");
        return create(ModelInferResponseSchema, {
          modelName: model.name,
          modelVersion: fault === "grpc-version-wrong" ? "2" : version,
          id: req.id,
          outputs: outputs.map((t) => {
            const field = datatypeInfo[t.datatype].contentsField;
            const typed =
              fault === "grpc-raw-and-contents" && field !== undefined
                ? { contents: { [field]: t.elements.map((e) => jsonFromElement(t.datatype, e)) } }
                : {};
            return {
              name: t.name,
              datatype: t.datatype,
              shape: (fault === "grpc-shape-flattened" ? [t.elements.length] : t.shape).map(BigInt),
              ...typed,
            };
          }),
          rawOutputContents: outputs.map((t) => grpcRaw(t, fault)),
        });
      }),
    });
}

// ---------------------------------------------------------------------------------------------

function listen(server: http.Server | http2.Http2Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the server on 127.0.0.1, REST and gRPC each on a free port, with at most one fault. */
export async function startReferenceServer(fault?: Fault): Promise<ReferenceServer> {
  const models = new Map(fault === "no-models" ? [] : conformanceModels().map((m) => [m.name, m]));
  const rest = http.createServer(restHandler(models, fault));
  const grpc = http2.createServer(
    connectNodeAdapter({ routes: grpcRoutes(models, fault), grpc: true, grpcWeb: false, connect: false }),
  );
  const sessions = new Set<http2.ServerHttp2Session>();
  grpc.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  const [restPort, grpcPort] = [await listen(rest), await listen(grpc)];
  return {
    url: `http://127.0.0.1:${restPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    async close() {
      for (const s of sessions) {
        s.close();
      }
      rest.closeAllConnections();
      await Promise.all([new Promise((r) => rest.close(r)), new Promise((r) => grpc.close(r))]);
    },
  };
}
