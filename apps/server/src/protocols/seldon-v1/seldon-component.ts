import {
  createTensor,
  type Datatype,
  datatypeTable,
  formatShape,
  invalidArgument,
  type Tensor,
  type TensorData,
  TensorwireError,
} from "@tensorwire/codec";
import type { SeldonDecodeOptions, SeldonEncoding, SeldonPayload } from "@tensorwire/codec/seldon-v1";
import type { ModelMetadata, TensorMetadata } from "../../core/data-plane.js";
import type { InferTarget } from "../../core/infer-target.js";
import type { DialectDeps } from "../dialect.js";
import { namedTarget, resolveTarget } from "../seldon-headers.js";

/**
 * Seldon Core v1 component semantics over the data plane, shared by REST and gRPC. A served model
 * is the component; the message's one tensor is its one input.
 * - predict, transform-input and transform-output run the model: whatever a node's role in the
 *   graph, the model is what it computes.
 * - route runs the model and answers the first element of its first integer output as the child
 *   index (a classifier picks the child); without an integer output the route is not defined
 *   (400, as Seldon's wrapper answers a component without `route`).
 * - aggregate stacks the messages' tensors along dim 0 and runs the model on the result.
 * - send-feedback checks the feedback and answers an empty message: models here do not learn.
 * - strData, binData and jsonData cannot feed a tensor model: only the `echo` mock passes them back.
 * - the response tensor is the model's last output (iris: predict_proba, what Seldon's
 *   SKLEARN_SERVER answers), in the request's encoding, named `t:<i>` per column when 2-D as
 *   Seldon's wrapper names class columns.
 */

/** Decodes the request payload against the model's input (REST JSON and gRPC decode differently). */
export type PayloadDecoder = (options: Partial<SeldonDecodeOptions>) => SeldonPayload;

export interface ComponentResult {
  /** Undefined for feedback, which answers no data. */
  readonly payload: SeldonPayload | undefined;
  /** `requestPath` entry: model name → `tensorwire/<platform>`, as Seldon lists each node's image. */
  readonly requestPath: Readonly<Record<string, string>>;
}

export type SeldonComponent = ReturnType<typeof createSeldonComponent>;

const echoPlatform = "tensorwire_echo";

export function createSeldonComponent(deps: DialectDeps) {
  const { dataPlane } = deps;

  /** The model a call is for: the `seldon-model` header's, else the one named by the address, else the default. */
  function target(named: string | undefined, seldonModel: string | undefined): InferTarget {
    return seldonModel === undefined
      ? namedTarget(named ?? defaultModel())
      : resolveTarget({ name: "" }, seldonModel);
  }

  function defaultModel(): string {
    if (deps.options.seldonV1Model !== undefined) {
      return deps.options.seldonV1Model;
    }
    const names = new Set(dataPlane.repositoryIndex({ readyOnly: false }).map((e) => e.name));
    return names.size === 1 ? ([...names][0] as string) : "iris";
  }

  function requestPath(meta: ModelMetadata): Record<string, string> {
    return { [meta.name]: `tensorwire/${meta.platform}` };
  }

  async function run(model: InferTarget, tensor: Tensor, puid: string): Promise<readonly Tensor[]> {
    const response = await dataPlane.infer(
      model,
      { inputs: [tensor] },
      { requestId: puid, protocol: "seldon-v1" },
    );
    return response.outputs;
  }

  function decodeData(model: InferTarget, meta: ModelMetadata, decode: PayloadDecoder): SeldonPayload {
    const spec = singleInput(meta);
    // A tftensor keeps its dtype: one the model accepts (iris: DT_DOUBLE, Seldon's Python default)
    // is cast by the data plane, as on every other surface.
    const described = dataPlane.describe(model);
    const accept = described?.kind === "model" ? described.acceptDatatypes[spec.name] : undefined;
    const payload = decode({ spec, acceptDatatypes: accept });
    if (payload.kind !== "data" && meta.platform !== echoPlatform) {
      throw invalidArgument(
        `model '${meta.name}' takes a tensor: send data (ndarray, tensor or tftensor); ${payload.kind} passes through the echo mock only`,
        { field: payload.kind },
      );
    }
    return payload;
  }

  async function predict(model: InferTarget, decode: PayloadDecoder, puid: string): Promise<ComponentResult> {
    const meta = dataPlane.modelMetadata(model);
    const payload = decodeData(model, meta, decode);
    if (payload.kind !== "data") {
      return { payload, requestPath: requestPath(meta) };
    }
    const outputs = await run(model, payload.tensor, puid);
    return { payload: responsePayload(outputs, payload.encoding), requestPath: requestPath(meta) };
  }

  async function route(model: InferTarget, decode: PayloadDecoder, puid: string): Promise<ComponentResult> {
    const meta = dataPlane.modelMetadata(model);
    const payload = decodeData(model, meta, decode);
    const integer = meta.outputs.find((o) => isInteger(o.datatype));
    if (payload.kind !== "data" || integer === undefined) {
      throw new TensorwireError(
        "failed_precondition",
        `Route not defined: model '${model.name}' has no integer output to pick a child with`,
      );
    }
    const outputs = await run(model, payload.tensor, puid);
    const chosen = outputs.find((o) => o.name === integer.name);
    const first = chosen?.data[0];
    if (first === undefined) {
      throw invalidArgument(`model '${model.name}': output '${integer.name}' is empty, so it routes nowhere`);
    }
    const child = createTensor({
      name: "route",
      datatype: "INT64",
      shape: [1, 1],
      data: BigInt64Array.of(BigInt(first as number | bigint)),
    });
    return {
      payload: { kind: "data", encoding: "ndarray", tensor: child, names: [] },
      requestPath: requestPath(meta),
    };
  }

  async function aggregate(
    model: InferTarget,
    decoders: readonly PayloadDecoder[],
    puid: string,
  ): Promise<ComponentResult> {
    const meta = dataPlane.modelMetadata(model);
    if (decoders.length === 0) {
      throw invalidArgument("aggregate: expected at least one message in 'seldonMessages'", {
        field: "seldonMessages",
      });
    }
    const payloads = decoders.map((decode, i) => {
      const payload = decodeData(model, meta, decode);
      if (payload.kind !== "data") {
        throw invalidArgument(`seldonMessages[${i}]: aggregate stacks tensors; got ${payload.kind}`);
      }
      return payload;
    });
    const first = payloads[0] as Extract<SeldonPayload, { kind: "data" }>;
    const outputs = await run(model, stack(payloads.map((p) => p.tensor)), puid);
    return { payload: responsePayload(outputs, first.encoding), requestPath: requestPath(meta) };
  }

  /** Checks the feedback's messages decode; answers no data. */
  function feedback(
    model: InferTarget,
    messages: readonly PayloadDecoder[],
    reward: unknown,
  ): ComponentResult {
    const meta = dataPlane.modelMetadata(model);
    if (reward !== undefined && reward !== null && typeof reward !== "number") {
      throw invalidArgument(`expected 'reward' to be a number, got ${JSON.stringify(reward)}`, {
        field: "reward",
      });
    }
    for (const decode of messages) {
      decode({});
    }
    return { payload: undefined, requestPath: requestPath(meta) };
  }

  function metadata(model: InferTarget): ModelMetadata {
    return dataPlane.modelMetadata(model);
  }

  return { target, predict, route, aggregate, feedback, metadata };
}

function singleInput(meta: ModelMetadata): TensorMetadata {
  const [input, ...more] = meta.inputs;
  if (input === undefined || more.length > 0) {
    throw invalidArgument(
      `model '${meta.name}' has ${meta.inputs.length} inputs (${meta.inputs.map((i) => i.name).join(", ")}); a SeldonMessage carries one tensor, so Seldon v1 reaches single-input models only`,
    );
  }
  return input;
}

function isInteger(datatype: Datatype): boolean {
  return datatypeTable[datatype].jsonKind === "int" || datatypeTable[datatype].jsonKind === "bigint";
}

function responsePayload(outputs: readonly Tensor[], requested: SeldonEncoding): SeldonPayload {
  const tensor = outputs[outputs.length - 1];
  if (tensor === undefined) {
    throw new TensorwireError("internal", "the model answered no outputs");
  }
  // Seldon's `tensor` encoding holds doubles only.
  const encoding =
    requested === "tensor" && (tensor.datatype === "BYTES" || tensor.datatype === "BOOL")
      ? "ndarray"
      : requested;
  const columns = tensor.shape.length === 2 ? (tensor.shape[1] as number) : 0;
  const names = Array.from({ length: columns }, (_, i) => `t:${i}`);
  return { kind: "data", encoding, tensor, names };
}

/** Tensors of one datatype and trailing shape, concatenated along dim 0. */
function stack(tensors: readonly Tensor[]): Tensor {
  const first = tensors[0] as Tensor;
  const inner = formatShape(first.shape.slice(1));
  let rows = 0;
  for (const [i, t] of tensors.entries()) {
    if (t.shape.length === 0 || t.datatype !== first.datatype || formatShape(t.shape.slice(1)) !== inner) {
      throw invalidArgument(
        `seldonMessages[${i}]: expected ${first.datatype} rows of shape ${inner}, got ${t.datatype} shape ${formatShape(t.shape)}`,
      );
    }
    rows += t.shape[0] as number;
  }
  let data: TensorData;
  if (first.datatype === "BYTES") {
    data = tensors.flatMap((t) => t.data as Uint8Array[]);
  } else {
    const TypedArray = datatypeTable[first.datatype].TypedArray as Uint8ArrayConstructor;
    const out = new TypedArray(tensors.reduce((n, t) => n + t.data.length, 0));
    let at = 0;
    for (const t of tensors) {
      out.set(t.data as Uint8Array, at);
      at += t.data.length;
    }
    data = out as TensorData;
  }
  return createTensor({
    name: first.name,
    datatype: first.datatype,
    shape: [rows, ...first.shape.slice(1)],
    data,
  });
}
