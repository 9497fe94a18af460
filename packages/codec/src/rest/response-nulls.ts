type JsonObject = { readonly [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Optional fields of `$inference_response` and of its `$response_output`s.
const optionalResponseFields = ["model_version", "id", "parameters"];
// `data` is optional when the output travels as binary data (`parameters.binary_data_size`).
const optionalOutputFields = ["parameters", "data"];

function withoutNullFields(json: JsonObject, fields: readonly string[]): Record<string, unknown> {
  // Spreading and Object.fromEntries define own properties, so a "__proto__" key stays plain data.
  const out: Record<string, unknown> = { ...json };
  for (const field of fields) {
    if (out[field] === null) {
      delete out[field];
    }
  }
  if (isObject(out.parameters)) {
    out.parameters = Object.fromEntries(Object.entries(out.parameters).filter(([, v]) => v !== null));
  }
  return out;
}

/**
 * A response body with `null` on optional fields (and null parameter values) removed, so they read
 * as absent. Servers built on pydantic write absent optionals as null: KServe's ModelServer answers
 * `"model_version": null` and `"parameters": null`. Requests are not treated this way: a server
 * keeps refusing a null where the protocol wants a value.
 * @private Internal code, does not follow semantic versioning.
 */
export function responseWithoutNulls(json: unknown): unknown {
  if (!isObject(json)) {
    return json;
  }
  const out = withoutNullFields(json, optionalResponseFields);
  if (Array.isArray(out.outputs)) {
    out.outputs = out.outputs.map((t: unknown) =>
      isObject(t) ? withoutNullFields(t, optionalOutputFields) : t,
    );
  }
  return out;
}
