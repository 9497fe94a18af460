import { isDatatype, type ModelMetadata, type ServerMetadata, type TensorMetadata } from "@tensorwire/codec";
import { InferenceError } from "./inference-error.js";

/**
 * Server and model metadata, from REST JSON or a gRPC message alike, read liberally: servers built
 * on pydantic write `null` for what they leave out (KServe's `"versions": null`), and MLServer omits
 * `inputs`/`outputs` when a model declares none. Absent or null lists read as empty, absent or null
 * text as "", unknown fields are ignored. What cannot be represented (a datatype outside the OIP
 * table) is an error naming the tensor.
 */

type JsonObject = { readonly [key: string]: unknown };

/** `json` as an object, or the error saying that `what` arrived malformed. */
export function jsonObject(json: unknown, what: string): JsonObject {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw malformed(what, json);
  }
  return json as JsonObject;
}

/** The error for an answer that does not have the protocol's shape. */
export function malformed(what: string, json: unknown): InferenceError {
  let text: string | undefined;
  try {
    text = JSON.stringify(json, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    text = String(json);
  }
  return new InferenceError("internal", `malformed ${what} from the server: ${text?.slice(0, 200)}`);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function tensorMetadataFrom(json: unknown, model: string, side: "input" | "output"): TensorMetadata {
  const t = jsonObject(json, `${side} metadata of model '${model}'`);
  const name = text(t.name);
  if (!isDatatype(t.datatype)) {
    throw new InferenceError(
      "internal",
      `model '${model}' declares ${side} '${name}' with datatype ${JSON.stringify(t.datatype)}, which is not an OIP datatype`,
    );
  }
  return { name, datatype: t.datatype, shape: list(t.shape).map(Number) };
}

/** Model metadata from `GET /v2/models/{name}` JSON or a `ModelMetadataResponse`. */
export function modelMetadataFrom(json: unknown): ModelMetadata {
  const m = jsonObject(json, "model metadata");
  const name = text(m.name);
  return {
    name,
    versions: list(m.versions).map(text),
    platform: text(m.platform),
    inputs: list(m.inputs).map((t) => tensorMetadataFrom(t, name, "input")),
    outputs: list(m.outputs).map((t) => tensorMetadataFrom(t, name, "output")),
  };
}

/** Server metadata from `GET /v2` JSON or a `ServerMetadataResponse`. */
export function serverMetadataFrom(json: unknown): ServerMetadata {
  const m = jsonObject(json, "server metadata");
  return { name: text(m.name), version: text(m.version), extensions: list(m.extensions).map(text) };
}
