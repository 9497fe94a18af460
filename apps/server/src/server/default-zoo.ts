import { datatypes } from "@tensorwire/codec";
import {
  fraudModel,
  identityModel,
  irisModel,
  kserveExampleModel,
  mixedOutputsModel,
  mnistModel,
  simpleInt8Model,
  simpleStringModel,
  tfsimpleModel,
} from "@tensorwire/models";
import type { ModelDeclaration } from "../repository/memory-source.js";

/**
 * The models served when no repository is given, built in memory at start-up (~0.1 s, mostly
 * training the iris classifier):
 * - `iris`: input "input" FP32 [-1,4], outputs "predict" INT64 [-1] and "predict_proba" FP32 [-1,3].
 *   Seldon's documented calls work verbatim: curl sends "predict" FP32, grpcurl "input" FP32 and
 *   tritonclient "predict" FP64, so "predict" is an alias of the input and FP64 is cast to FP32.
 * - `tfsimple`: Triton's simple add/sub, INT32 [-1,16] INPUT0/INPUT1 → OUTPUT0 (sum), OUTPUT1 (difference).
 * - `identity_<datatype>` for every OIP datatype: INPUT0 [-1,-1] → OUTPUT0. ONNX Runtime holds strings
 *   as UTF-8 C strings (no NUL, no arbitrary bytes), while OIP BYTES are any bytes, so
 *   `identity_bytes` is the echo runtime with the same metadata rather than an ONNX model.
 * - `fraud`: "input" FP32 [-1,29] → "probability" FP32 [-1,1].
 * - `echo` (mock): INPUT0 FP32 [-1,-1] → OUTPUT0, and `constant` (mock): any INPUT0 FP32 [-1,-1]
 *   → OUTPUT0 FP32 [1,3] = [0.1, 0.2, 0.7].
 * Both mocks declare an explainer, so KServe V1's `:explain` answers for them: `echo` with its
 * predictions as `{"explanations": [...]}`, `constant` with a fixed `{"explanations": [...]}` of
 * per-feature weights. The other models answer `:explain` with 501.
 *
 * The models other projects' published examples call, with the tensors those examples send:
 * - Triton's example model repository: `simple` (tfsimple's graph), `simple_string` (BYTES holding
 *   integers as text), `simple_int8`, `simple_identity` (BYTES [-1,-1], the echo runtime for the
 *   reason above) and its QA model `custom_identity_int32` (identity_int32's graph). Like Triton's
 *   they have `max_batch_size: 8` and answer gRPC with `raw_output_contents`.
 * - Wallaroo's `ccfraud`: the fraud scorer as "tensor" FP32 [-1,29] → "dense_1" FP32 [-1,1],
 *   accepting FP64 (pandas' float64) as iris does.
 * - TF-Serving's `mnist` (Hopsworks' docs): "images" FP32 [-1,784] → "scores" FP32 [-1,10], with
 *   the `predict_images` signature.
 * - KServe's SDK docs: `example_model` and `my_model`, "input_1" FP32 [-1,3] → "output_1" FP32
 *   [-1,1]; `my_model` explains with its predictions.
 * - `mixed_outputs`: the conformance suite's model with FP32, INT64 and BOOL outputs.
 */
export function defaultZoo(groups: readonly ZooGroup[] = zooGroups): ModelDeclaration[] {
  const wanted = new Set<string>(groups);
  return allZooModels().filter((model) => {
    const group = zooGroupOf(model.name);
    return group === "base" || wanted.has(group);
  });
}

/**
 * The default zoo in groups, for `--zoo`: every group serves the base models (`iris`, `tfsimple`,
 * `echo`, `constant`, and with them Seldon's `tfsimples` pipeline, which every README command
 * uses); `seldon` is the base alone, `triton` adds Triton's example models, `kserve` the KServe SDK
 * docs' models, `wallaroo` `ccfraud` and `fraud`, `hopsworks` `mnist`, and `conformance` the
 * `identity_<datatype>` models and `mixed_outputs` that the conformance suite needs.
 */
export const zooGroups = ["seldon", "triton", "kserve", "wallaroo", "hopsworks", "conformance"] as const;

/** A group of the default zoo (see `zooGroups`). */
export type ZooGroup = (typeof zooGroups)[number];

function zooGroupOf(name: string): ZooGroup | "base" {
  if (name.startsWith("identity_") || name === "mixed_outputs") {
    return "conformance";
  }
  if (name.startsWith("simple") || name === "custom_identity_int32") {
    return "triton";
  }
  switch (name) {
    case "example_model":
    case "my_model":
      return "kserve";
    case "ccfraud":
    case "fraud":
      return "wallaroo";
    case "mnist":
      return "hopsworks";
    default:
      return "base";
  }
}

function allZooModels(): ModelDeclaration[] {
  const tfsimple = tfsimpleModel().onnx;
  const identityInt32 = identityModel("INT32").onnx;
  const kserveExample = kserveExampleModel().onnx;
  const triton = { maxBatchSize: 8, grpcRawOutput: true };
  return [
    {
      name: "iris",
      onnx: irisModel().onnx,
      config: { inputs: [{ name: "input", aliases: ["predict"], acceptDatatypes: ["FP64"] }] },
    },
    { name: "tfsimple", onnx: tfsimple },
    ...datatypes
      .filter((datatype) => datatype !== "BYTES")
      .map((datatype) => ({
        name: `identity_${datatype.toLowerCase()}`,
        onnx: datatype === "INT32" ? identityInt32 : identityModel(datatype).onnx,
      })),
    {
      name: "identity_bytes",
      config: {
        runtime: "echo",
        inputs: [{ name: "INPUT0", datatype: "BYTES", shape: [-1, -1] }],
        rename: { INPUT0: "OUTPUT0" },
      },
    },
    { name: "fraud", onnx: fraudModel().onnx },
    {
      name: "echo",
      config: {
        runtime: "echo",
        inputs: [{ name: "INPUT0", datatype: "FP32", shape: [-1, -1] }],
        rename: { INPUT0: "OUTPUT0" },
        explainer: { kind: "predictions" },
      },
    },
    {
      name: "constant",
      config: {
        runtime: "constant",
        inputs: [{ name: "INPUT0", datatype: "FP32", shape: [-1, -1] }],
        outputs: [{ name: "OUTPUT0", datatype: "FP32", shape: [1, 3], data: [0.1, 0.2, 0.7] }],
        explainer: { response: { explanations: [{ feature: "INPUT0", weights: [0.1, 0.2, 0.7] }] } },
      },
    },
    { name: "simple", onnx: tfsimple, config: triton },
    { name: "simple_string", onnx: simpleStringModel().onnx, config: triton },
    { name: "simple_int8", onnx: simpleInt8Model().onnx, config: triton },
    {
      name: "simple_identity",
      config: {
        ...triton,
        runtime: "echo",
        inputs: [{ name: "INPUT0", datatype: "BYTES", shape: [-1, -1] }],
        rename: { INPUT0: "OUTPUT0" },
      },
    },
    { name: "custom_identity_int32", onnx: identityInt32, config: triton },
    {
      name: "ccfraud",
      onnx: fraudModel({ name: "ccfraud", input: "tensor", output: "dense_1" }).onnx,
      config: { inputs: [{ name: "tensor", acceptDatatypes: ["FP64"] }] },
    },
    {
      name: "mnist",
      onnx: mnistModel().onnx,
      config: { signatures: ["serving_default", "predict_images"] },
    },
    { name: "example_model", onnx: kserveExample },
    { name: "my_model", onnx: kserveExample, config: { explainer: { kind: "predictions" } } },
    { name: "mixed_outputs", onnx: mixedOutputsModel().onnx },
  ];
}
