import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { buildOnnxModel, fraudModel } from "@tensorwire/models";
import { ModelInferRequestSchema } from "@tensorwire/proto/oip";

/** gRPC ModelInfer of tfsimple, [1,16] INT32 twice, raw contents: the small call of the gRPC goals (docs/benchmarks.md). */
export function tfsimpleGrpc(): Uint8Array {
  const raw = () => new Uint8Array(Int32Array.from({ length: 16 }, (_, i) => i).buffer);
  return frame(
    toBinary(
      ModelInferRequestSchema,
      create(ModelInferRequestSchema, {
        modelName: "tfsimple",
        inputs: ["INPUT0", "INPUT1"].map((name) => ({ name, datatype: "INT32", shape: [1n, 16n] })),
        rawInputContents: [raw(), raw()],
      }),
    ),
  );
}

export const irisRow = [5.1, 3.5, 1.4, 0.2];

/** gRPC ModelInfer of iris with typed fp32_contents, which MLServer and tensorwire both read. */
export function irisGrpc(): Uint8Array {
  return frame(
    toBinary(
      ModelInferRequestSchema,
      create(ModelInferRequestSchema, {
        modelName: "iris",
        inputs: [{ name: "predict", datatype: "FP32", shape: [1n, 4n], contents: { fp32Contents: irisRow } }],
      }),
    ),
  );
}

export function irisJson(): Uint8Array {
  return Buffer.from(
    JSON.stringify({ inputs: [{ name: "predict", shape: [1, 4], datatype: "FP32", data: irisRow }] }),
  );
}

/** 1 MiB of FP32 (262144 values) for identity_fp32, three ways. */
export const largeCount = 262_144;
const largeValues = Float32Array.from({ length: largeCount }, (_, i) => (i % 1000) / 7);

export function largeJson(): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      inputs: [{ name: "INPUT0", shape: [1, largeCount], datatype: "FP32", data: Array.from(largeValues) }],
    }),
  );
}

export function largeBinary(): { body: Uint8Array; headerLength: number } {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: "INPUT0",
          shape: [1, largeCount],
          datatype: "FP32",
          parameters: { binary_data_size: largeValues.byteLength },
        },
      ],
      outputs: [{ name: "OUTPUT0", parameters: { binary_data: true } }],
    }),
  );
  return { body: Buffer.concat([header, Buffer.from(largeValues.buffer)]), headerLength: header.length };
}

export function largeGrpc(): Uint8Array {
  return frame(
    toBinary(
      ModelInferRequestSchema,
      create(ModelInferRequestSchema, {
        modelName: "identity_fp32",
        inputs: [{ name: "INPUT0", datatype: "FP32", shape: [1n, BigInt(largeCount)] }],
        rawInputContents: [new Uint8Array(largeValues.buffer)],
      }),
    ),
  );
}

/** REST JSON for a [1,width] FP32 input named "input". */
export function rowJson(width: number): Uint8Array {
  const data = Array.from({ length: width }, (_, i) => ((i * 37) % 100) / 100);
  return Buffer.from(
    JSON.stringify({ inputs: [{ name: "input", shape: [1, width], datatype: "FP32", data }] }),
  );
}

/**
 * An MLP "input" FP32 [batch,width] → `layers` × (MatMul width×width, Relu) → "output": compute
 * that grows with the rows, so batching and worker threads have real work to share.
 */
export function mlpModel(width: number, layers: number): Uint8Array {
  const weights = Float32Array.from(
    { length: width * width },
    (_, i) => (((i * 2654435761) >>> 0) % 1000) / 1000 / width,
  );
  const nodes = [];
  let previous = "input";
  for (let l = 0; l < layers; l++) {
    const out = l === layers - 1 ? "output" : `h${l}`;
    nodes.push({ opType: "MatMul", inputs: [previous, "w"], outputs: [`m${l}`] });
    nodes.push({ opType: "Relu", inputs: [`m${l}`], outputs: [out] });
    previous = out;
  }
  return buildOnnxModel({
    name: "mlp",
    inputs: [{ name: "input", datatype: "FP32", shape: ["batch", width] }],
    outputs: [{ name: "output", datatype: "FP32", shape: ["batch", width] }],
    initializers: [{ name: "w", datatype: "FP32", dims: [width, width], data: weights }],
    nodes,
  });
}

/** Writes `<root>/<name>/config.yaml` and `<root>/<name>/1/model.onnx`. */
export function writeModel(root: string, name: string, onnx: Uint8Array, config = ""): void {
  mkdirSync(join(root, name, "1"), { recursive: true });
  writeFileSync(join(root, name, "1", "model.onnx"), onnx);
  writeFileSync(join(root, name, "config.yaml"), config);
}

export function fraudOnnx(): Uint8Array {
  return fraudModel().onnx;
}

/** One gRPC message with its 5-byte length prefix (uncompressed). */
export function frame(message: Uint8Array): Uint8Array {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}
