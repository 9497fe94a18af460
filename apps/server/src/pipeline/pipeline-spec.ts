import { TensorwireError } from "@tensorwire/codec";
import { checkModelName } from "../repository/model-name.js";

/**
 * A Seldon Core v2 `Pipeline` resource (`apiVersion: mlops.seldon.io/v1alpha1`), checked and
 * normalised: defaults filled in, every tensor reference parsed, the steps a DAG.
 *
 * One extension: a step's `model` names the model it calls. Seldon has no such field because a
 * step's name is its model's name; here it defaults to the step name too, and lets two steps
 * (`tfsimple1`, `tfsimple2`) call one model (`tfsimple`) without declaring the model twice.
 *
 * Not supported (rejected, never ignored): `batch`, `allowCycles`, `dataflow`, and the
 * cross-pipeline `input.externalInputs` / `externalTriggers`.
 */
export interface PipelineSpec {
  /** The pipeline's name. */
  readonly name: string;
  /** Its steps. */
  readonly steps: readonly PipelineStep[];
  /** Absent: the pipeline runs but answers no synchronous request (Seldon's rule). */
  readonly output: PipelineOutput | undefined;
  /** Renames pipeline inputs: key `<pipeline>.inputs.<tensor>`, value the new name. */
  readonly inputTensorMap: Readonly<Record<string, string>>;
}

/**
 * How a step waits for its inputs, as Seldon names it: `inner` all of them, `outer` any within the join
 * window, `any` the first.
 */
export type JoinType = "inner" | "outer" | "any";

/** One step of a pipeline: a model call fed by other steps' or the pipeline's tensors. */
export interface PipelineStep {
  /** The step's name, unique in the pipeline. */
  readonly name: string;
  /** The model the step calls; the step name unless the spec says otherwise. */
  readonly model: string;
  /** The tensors the step takes. */
  readonly inputs: readonly TensorRef[];
  /** Key: a fully-qualified source tensor (`step.outputs.OUTPUT0`); value: the name the step sees. */
  readonly tensorMap: Readonly<Record<string, string>>;
  /** How it waits for its inputs. */
  readonly inputsJoinType: JoinType;
  /** Tensors that must be present for the step to run, without being passed to it. */
  readonly triggers: readonly TensorRef[];
  /** How it waits for its triggers. */
  readonly triggersJoinType: JoinType;
  /** How long an `outer` join waits after its first input; 0 for inner and any. */
  readonly joinWindowMs: number;
}

/** What a pipeline answers: tensors of its steps. */
export interface PipelineOutput {
  /** The tensors the answer is made of. */
  readonly steps: readonly TensorRef[];
  /** How the answer waits for them. */
  readonly stepsJoin: JoinType;
  /** Renames answer tensors: key a fully-qualified source tensor, value the answer's name. */
  readonly tensorMap: Readonly<Record<string, string>>;
  /** How long an `outer` join waits after its first tensor. */
  readonly joinWindowMs: number;
}

/**
 * A parsed reference. `node` is a step name, or the pipeline's own name for its inputs;
 * `tensor` absent means every tensor of that side.
 */
export interface TensorRef {
  /** The step name, or the pipeline's own name for its inputs. */
  readonly node: string;
  /** Which side of that node. */
  readonly side: "inputs" | "outputs";
  /** The tensor's name; undefined for every tensor of that side. */
  readonly tensor: string | undefined;
  /** The reference as written, for error messages. */
  readonly text: string;
}

const joinTypes: readonly JoinType[] = ["inner", "outer", "any"];
const unsupportedSpecFields = ["allowCycles", "dataflow", "maxStepRevisits"] as const;

/** Checks one parsed YAML/JSON document; throws invalid_argument naming the offending field. */
export function parsePipelineSpec(doc: unknown): PipelineSpec {
  const root = record(doc, "pipeline");
  if (root.apiVersion !== undefined && root.apiVersion !== "mlops.seldon.io/v1alpha1") {
    throw specError(`apiVersion: expected mlops.seldon.io/v1alpha1, got ${JSON.stringify(root.apiVersion)}`);
  }
  if (root.kind !== "Pipeline") {
    throw specError(`kind: expected Pipeline, got ${JSON.stringify(root.kind)}`);
  }
  const name = string(record(root.metadata, "metadata").name, "metadata.name");
  const nameCheck = checkModelName(name);
  if (!nameCheck.ok || name.includes(".")) {
    throw specError(`metadata.name: expected letters, digits, '_' or '-', got '${name}'`);
  }
  const spec = record(root.spec, `${name}: spec`);
  for (const field of unsupportedSpecFields) {
    if (spec[field] !== undefined && spec[field] !== false && spec[field] !== 0) {
      throw specError(`${name}: spec.${field} is not supported`);
    }
  }
  const input = spec.input === undefined ? {} : record(spec.input, `${name}: spec.input`);
  for (const field of ["externalInputs", "externalTriggers"] as const) {
    if (input[field] !== undefined) {
      throw specError(`${name}: spec.input.${field} (inputs from other pipelines) is not supported`);
    }
  }
  const stepDocs = spec.steps;
  if (!Array.isArray(stepDocs) || stepDocs.length === 0) {
    throw specError(`${name}: spec.steps: expected a non-empty list`);
  }
  const steps = stepDocs.map((s, i) => parseStep(name, s, `${name}: spec.steps[${i}]`));
  const stepNames = new Set<string>();
  for (const step of steps) {
    if (step.name === name || stepNames.has(step.name)) {
      throw specError(`${name}: step name '${step.name}' is used twice (steps and the pipeline share names)`);
    }
    stepNames.add(step.name);
  }
  const output =
    spec.output === undefined ? undefined : parseOutput(name, spec.output, `${name}: spec.output`);
  const pipeline: PipelineSpec = {
    name,
    steps,
    output,
    inputTensorMap: tensorMap(input.tensorMap, `${name}: spec.input.tensorMap`),
  };
  checkReferences(pipeline);
  return pipeline;
}

/** Parses `node`, `node.inputs`, `node.outputs` or `node.(inputs|outputs).tensor`. */
export function parseTensorRef(text: string, where: string): TensorRef {
  const parts = text.split(".");
  const [node, side, ...rest] = parts;
  if (node === undefined || node === "" || (side !== undefined && side !== "inputs" && side !== "outputs")) {
    throw specError(`${where}: expected <step>[.(inputs|outputs)[.<tensor>]], got '${text}'`);
  }
  const tensor = rest.length === 0 ? undefined : rest.join(".");
  if (tensor === "") {
    throw specError(`${where}: empty tensor name in '${text}'`);
  }
  return { node, side: side ?? "outputs", tensor, text };
}

function parseStep(pipeline: string, doc: unknown, where: string): PipelineStep {
  const s = record(doc, where);
  if (s.batch !== undefined) {
    throw specError(`${where}.batch is not supported`);
  }
  const name = string(s.name, `${where}.name`);
  const model = s.model === undefined ? name : string(s.model, `${where}.model`);
  if (!checkModelName(model).ok) {
    throw specError(`${where}.model: '${model}' is not a valid model name`);
  }
  const inputs = refs(s.inputs, `${where}.inputs`);
  const inputsJoinType = join(s.inputsJoinType, `${where}.inputsJoinType`);
  return {
    name,
    model,
    // Steps without inputs read the pipeline's inputs.
    inputs:
      inputs.length > 0 ? inputs : [{ node: pipeline, side: "inputs", tensor: undefined, text: pipeline }],
    tensorMap: tensorMap(s.tensorMap, `${where}.tensorMap`),
    inputsJoinType,
    triggers: refs(s.triggers, `${where}.triggers`),
    triggersJoinType: join(s.triggersJoinType, `${where}.triggersJoinType`),
    joinWindowMs: windowMs(s.joinWindowMs, `${where}.joinWindowMs`),
  };
}

function parseOutput(pipeline: string, doc: unknown, where: string): PipelineOutput {
  const o = record(doc, where);
  const steps = refs(o.steps, `${where}.steps`);
  if (steps.length === 0) {
    throw specError(`${where}.steps: expected at least one step (${pipeline})`);
  }
  return {
    steps,
    stepsJoin: join(o.stepsJoin, `${where}.stepsJoin`),
    tensorMap: tensorMap(o.tensorMap, `${where}.tensorMap`),
    joinWindowMs: windowMs(o.joinWindowMs, `${where}.joinWindowMs`),
  };
}

/** Every reference names a step or the pipeline, and the steps form a DAG (cycles are unsupported). */
function checkReferences(pipeline: PipelineSpec): void {
  const steps = new Map(pipeline.steps.map((s) => [s.name, s]));
  const check = (ref: TensorRef, where: string): void => {
    if (ref.node === pipeline.name) {
      if (ref.side !== "inputs") {
        throw specError(`${where}: '${ref.text}': a pipeline's own tensors are '${pipeline.name}.inputs'`);
      }
    } else if (!steps.has(ref.node)) {
      throw specError(`${where}: '${ref.text}' names no step of pipeline '${pipeline.name}'`);
    }
  };
  for (const step of pipeline.steps) {
    for (const ref of [...step.inputs, ...step.triggers]) {
      check(ref, `${pipeline.name}: step ${step.name}`);
    }
  }
  for (const ref of pipeline.output?.steps ?? []) {
    check(ref, `${pipeline.name}: output`);
  }
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: readonly string[]): void => {
    if (state.get(name) === "done") {
      return;
    }
    if (state.get(name) === "visiting") {
      throw specError(
        `${pipeline.name}: steps form a cycle (${[...path, name].join(" → ")}); cycles are not supported`,
      );
    }
    state.set(name, "visiting");
    const step = steps.get(name);
    for (const ref of [...(step?.inputs ?? []), ...(step?.triggers ?? [])]) {
      if (ref.node !== pipeline.name) {
        visit(ref.node, [...path, name]);
      }
    }
    state.set(name, "done");
  };
  for (const step of pipeline.steps) {
    visit(step.name, []);
  }
}

function refs(value: unknown, where: string): TensorRef[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw specError(`${where}: expected a list of strings`);
  }
  return value.map((v, i) => parseTensorRef(string(v, `${where}[${i}]`), `${where}[${i}]`));
}

function tensorMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) {
    return {};
  }
  const map = record(value, where);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(map)) {
    out[key] = string(v, `${where}.${key}`);
  }
  return out;
}

function join(value: unknown, where: string): JoinType {
  if (value === undefined || value === null) {
    return "inner";
  }
  if (!joinTypes.includes(value as JoinType)) {
    throw specError(`${where}: expected inner, outer or any, got ${JSON.stringify(value)}`);
  }
  return value as JoinType;
}

function windowMs(value: unknown, where: string): number {
  if (value === undefined || value === null) {
    return 0;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw specError(`${where}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw specError(`${where}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}

function string(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") {
    throw specError(`${where}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function specError(message: string): TensorwireError {
  return new TensorwireError("invalid_argument", `invalid pipeline: ${message}`);
}

/** Two pipelines of one name are an error rather than a silent override. */
export function checkUniquePipelines(pipelines: readonly PipelineSpec[]): void {
  const seen = new Set<string>();
  for (const p of pipelines) {
    if (seen.has(p.name)) {
      throw new TensorwireError("already_exists", `pipeline '${p.name}' is declared twice`);
    }
    seen.add(p.name);
  }
}
