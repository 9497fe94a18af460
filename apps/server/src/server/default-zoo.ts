import { datatypes } from "@tensorwire/codec";
import { zooModel } from "@tensorwire/models/zoo";
import type { ModelDeclaration } from "../repository/memory-source.js";

/**
 * The models served when no repository is given: ONNX files that @tensorwire/models builds from
 * code at its build (read in well under a millisecond; from source, as tests run, built at start):
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
 */
export async function defaultZoo(): Promise<ModelDeclaration[]> {
  const onnxDatatypes = datatypes.filter((datatype) => datatype !== "BYTES");
  const [iris, tfsimple, fraud, ...identities] = await Promise.all([
    zooModel("iris"),
    zooModel("tfsimple"),
    zooModel("fraud"),
    ...onnxDatatypes.map((datatype) =>
      zooModel(`identity_${datatype.toLowerCase() as Lowercase<typeof datatype>}`),
    ),
  ]);
  return [
    {
      name: "iris",
      onnx: iris,
      config: { inputs: [{ name: "input", aliases: ["predict"], acceptDatatypes: ["FP64"] }] },
    },
    { name: "tfsimple", onnx: tfsimple },
    ...onnxDatatypes.map((datatype, i) => ({
      name: `identity_${datatype.toLowerCase()}`,
      onnx: identities[i] as Uint8Array,
    })),
    {
      name: "identity_bytes",
      config: {
        runtime: "echo",
        inputs: [{ name: "INPUT0", datatype: "BYTES", shape: [-1, -1] }],
        rename: { INPUT0: "OUTPUT0" },
      },
    },
    { name: "fraud", onnx: fraud },
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
  ];
}
