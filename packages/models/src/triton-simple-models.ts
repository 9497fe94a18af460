import { onnxDatatypeTable } from "./oip-datatype.js";
import { type OnnxModel, onnxModel } from "./onnx-model.js";

/**
 * Triton's `simple_string` example model: INPUT0 and INPUT1 BYTES [-1,16], each element the
 * decimal text of an integer; OUTPUT0 is the text of their sum, OUTPUT1 of their difference.
 * The strings are cast to INT32, added and subtracted, and cast back, inside the graph.
 */
export function simpleStringModel(): OnnxModel {
  return castAddSubGraph("simple_string", "BYTES");
}

/**
 * Triton's `simple_int8` example model: INPUT0 and INPUT1 INT8 [-1,16] → OUTPUT0 (sum) and OUTPUT1
 * (difference), wrapping as int8 arithmetic does. ONNX Runtime's CPU provider has no INT8 Add or
 * Sub kernel, so the graph computes in INT32 and casts back.
 */
export function simpleInt8Model(): OnnxModel {
  return castAddSubGraph("simple_int8", "INT8");
}

function castAddSubGraph(name: string, datatype: "BYTES" | "INT8"): OnnxModel {
  const shape = [-1, 16];
  const value = (n: string) => ({ name: n, datatype, shape });
  const to = (t: "INT32" | "BYTES" | "INT8") => ({ to: { int: onnxDatatypeTable[t].elemType } });
  return onnxModel({
    name,
    inputs: [value("INPUT0"), value("INPUT1")],
    outputs: [value("OUTPUT0"), value("OUTPUT1")],
    nodes: [
      { opType: "Cast", inputs: ["INPUT0"], outputs: ["a"], attributes: to("INT32") },
      { opType: "Cast", inputs: ["INPUT1"], outputs: ["b"], attributes: to("INT32") },
      { opType: "Add", inputs: ["a", "b"], outputs: ["sum"] },
      { opType: "Sub", inputs: ["a", "b"], outputs: ["difference"] },
      { opType: "Cast", inputs: ["sum"], outputs: ["OUTPUT0"], attributes: to(datatype) },
      { opType: "Cast", inputs: ["difference"], outputs: ["OUTPUT1"], attributes: to(datatype) },
    ],
  });
}
