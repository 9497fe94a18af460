import { createTensor, formatShape, type InferRequest, type Result, type Tensor } from "@tensorwire/codec";
import { dataFromValues, tensorValues } from "../core/tensor-values.js";
import type { ModelBinding } from "./model-binding.js";

/** A request checked against a model: inputs under the model's names and datatypes, outputs to fetch. */
export interface ValidatedRequest {
  readonly inputs: readonly Tensor[];
  /** The model's names of the outputs to compute, in the order the response lists them. */
  readonly outputs: readonly string[];
}

/**
 * Checks a request against a model before it runs, in Triton's terms and wording: every input
 * known (by name or alias), none twice, none required missing, datatypes and shapes matching
 * (-1 matches any size), requested outputs known. Aliased inputs are renamed, and inputs in a
 * datatype the config accepts are cast, before the datatype check.
 */
export function validateRequest(
  model: string,
  binding: ModelBinding,
  request: InferRequest,
): Result<ValidatedRequest> {
  const inputs: Tensor[] = [];
  const sentAs = new Map<string, string>();
  for (const tensor of request.inputs) {
    const bound = binding.inputByName.get(tensor.name);
    if (bound === undefined) {
      return fail(`unexpected inference input '${tensor.name}' for model '${model}'`);
    }
    const { metadata } = bound;
    const earlier = sentAs.get(metadata.name);
    if (earlier !== undefined) {
      const also = earlier === tensor.name ? "" : ` (also sent as '${earlier}')`;
      return fail(`input '${tensor.name}'${also} appears more than once in the request for model '${model}'`);
    }
    sentAs.set(metadata.name, tensor.name);
    let input: Tensor =
      tensor.name === metadata.name ? tensor : ({ ...tensor, name: metadata.name } as Tensor);
    if (input.datatype !== metadata.datatype) {
      if (!bound.acceptDatatypes.has(input.datatype)) {
        return fail(
          `inference input '${tensor.name}' data-type is '${input.datatype}', but model '${model}' expects '${metadata.datatype}'`,
        );
      }
      const cast = castTensor(input, metadata.datatype);
      if (!cast.ok) {
        return fail(`inference input '${tensor.name}' for model '${model}': ${cast.error}`);
      }
      input = cast.value;
    }
    const batch = input.shape[0] ?? 0;
    if (binding.maxBatchSize > 0 && batch > binding.maxBatchSize) {
      // Triton's wording.
      return fail(`inference request batch-size must be <= ${binding.maxBatchSize} for '${model}'`);
    }
    if (!shapeMatches(metadata.shape, input.shape)) {
      return fail(
        `unexpected shape for input '${tensor.name}' for model '${model}'. Expected ${formatShape(metadata.shape)}, got ${formatShape(input.shape)}`,
      );
    }
    inputs.push(input);
  }
  const missing = binding.inputs.filter(
    (m) => !sentAs.has(m.name) && !binding.inputByName.get(m.name)?.optional,
  );
  if (missing.length > 0) {
    const expected = binding.inputs.filter((m) => !binding.inputByName.get(m.name)?.optional).length;
    const list = (names: readonly string[]) => `[${names.map((n) => `'${n}'`).join(", ")}]`;
    return fail(
      `expected ${expected} inputs but got ${inputs.length} inputs for model '${model}'. Got input(s) ${list(request.inputs.map((t) => t.name))}, but missing required input(s) ${list(missing.map((m) => m.name))}. Please provide all required input(s).`,
    );
  }
  if (request.outputs === undefined || request.outputs.length === 0) {
    return { ok: true, value: { inputs, outputs: [...binding.outputSource.values()] } };
  }
  const outputs: string[] = [];
  for (const requested of request.outputs) {
    const source = binding.outputSource.get(requested.name);
    if (source === undefined) {
      return fail(`unexpected inference output '${requested.name}' for model '${model}'`);
    }
    if (outputs.includes(source)) {
      return fail(`output '${requested.name}' is requested more than once for model '${model}'`);
    }
    outputs.push(source);
  }
  return { ok: true, value: { inputs, outputs } };
}

export function shapeMatches(expected: readonly number[], actual: readonly number[]): boolean {
  return expected.length === actual.length && expected.every((dim, i) => dim === -1 || dim === actual[i]);
}

function castTensor(tensor: Tensor, datatype: Tensor["datatype"]): Result<Tensor> {
  if (tensor.datatype === "BYTES") {
    return { ok: false, error: "BYTES cannot be cast" };
  }
  const data = dataFromValues(datatype, tensorValues(tensor));
  if (!data.ok) {
    return data;
  }
  return { ok: true, value: createTensor({ ...tensor, datatype, data: data.value }) };
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
