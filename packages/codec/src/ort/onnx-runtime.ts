import { Tensor as OrtTensor } from "onnxruntime-common";
import type { Datatype } from "../datatype.js";
import { invalidArgument } from "../error.js";
import { createTensor, type Parameters, type Tensor } from "../tensor.js";

/**
 * The in-memory tensor to and from ONNX Runtime's `Tensor` (onnxruntime-common; onnxruntime-node
 * and onnxruntime-web re-export the same class). Numeric data is shared, not copied, both ways, so
 * neither side may change it while the other uses it.
 *
 * BYTES become ORT `string` tensors: ORT holds strings, so elements must be valid UTF-8 (an error
 * says which is not), and strings with lone surrogates coming back from ORT are refused, since they
 * have no UTF-8 form.
 */

/** The ORT element type of each OIP datatype. */
export const ortTypes = {
  /** BOOL is ORT's `bool`. */
  BOOL: "bool",
  /** UINT8 is ORT's `uint8`. */
  UINT8: "uint8",
  /** UINT16 is ORT's `uint16`. */
  UINT16: "uint16",
  /** UINT32 is ORT's `uint32`. */
  UINT32: "uint32",
  /** UINT64 is ORT's `uint64`. */
  UINT64: "uint64",
  /** INT8 is ORT's `int8`. */
  INT8: "int8",
  /** INT16 is ORT's `int16`. */
  INT16: "int16",
  /** INT32 is ORT's `int32`. */
  INT32: "int32",
  /** INT64 is ORT's `int64`. */
  INT64: "int64",
  /** FP16 is ORT's `float16`. */
  FP16: "float16",
  /** FP32 is ORT's `float32`. */
  FP32: "float32",
  /** FP64 is ORT's `float64`. */
  FP64: "float64",
  /** BYTES is ORT's `string`. */
  BYTES: "string",
} as const satisfies Record<Datatype, OrtTensor.Type>;

/** An ORT element type that some OIP datatype maps to. */
export type OrtType = (typeof ortTypes)[Datatype];

const datatypesByOrtType = new Map<string, Datatype>(
  Object.entries(ortTypes).map(([datatype, ort]) => [ort, datatype as Datatype]),
);

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as data instead of dropping it.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
// In a /u regex, surrogate pairs are whole code points, so this matches only lone surrogates.
const loneSurrogate = /\p{Surrogate}/u;

/**
 * An ORT tensor over the same data (BYTES are decoded to strings).
 *
 * @example
 * const x = createTensor({ name: "x", datatype: "FP32", shape: [1, 4], data: new Float32Array(4) });
 * const results = await session.run({ x: tensorToOrt(x) });
 * const y = tensorFromOrt("y", results.y as OrtTensor);
 */
export function tensorToOrt(tensor: Tensor): OrtTensor {
  const dims = [...tensor.shape];
  if (tensor.datatype === "BYTES") {
    const strings = tensor.data.map((bytes, i) => {
      try {
        return utf8Decoder.decode(bytes);
      } catch {
        throw invalidArgument(
          `tensor '${tensor.name}': BYTES element ${i} is not valid UTF-8, which an ONNX Runtime string tensor cannot hold`,
          { tensor: tensor.name, field: "data" },
        );
      }
    });
    return new OrtTensor("string", strings, dims);
  }
  const ortTensor = new OrtTensor(
    ortTypes[tensor.datatype] as Exclude<OrtType, "string">,
    tensor.data as never,
    dims,
  );
  if (tensor.datatype === "FP16") {
    keepFloat16Bits(ortTensor, tensor.data);
  }
  return ortTensor;
}

/**
 * onnxruntime-common views FP16 bits as a Float16Array where the runtime has one (Node 24 does),
 * but onnxruntime-node 1.30's binding asks N-API for the array type, which in Node 24.9 reports a
 * Float16Array as an Int8Array, and so refuses every float16 input. Both accept the Uint16Array of
 * bits, so the tensor is pointed back at it. `cpuData` is where onnxruntime-common's Tensor keeps
 * its data; the session test covers the combination.
 */
function keepFloat16Bits(ortTensor: OrtTensor, bits: Uint16Array): void {
  if (Object.hasOwn(ortTensor, "cpuData") && !(ortTensor.data instanceof Uint16Array)) {
    (ortTensor as unknown as { cpuData: Uint16Array }).cpuData = bits;
  }
}

/** A tensor named `name` over an ORT CPU tensor's data. */
export function tensorFromOrt(name: string, ort: OrtTensor, parameters?: Parameters): Tensor {
  const datatype = datatypesByOrtType.get(ort.type);
  if (datatype === undefined) {
    throw invalidArgument(`tensor '${name}': ONNX Runtime type '${ort.type}' has no OIP datatype`, {
      tensor: name,
      field: "datatype",
    });
  }
  if (ort.location !== "cpu") {
    throw invalidArgument(`tensor '${name}': data is on '${ort.location}'; download it to the CPU first`, {
      tensor: name,
      field: "data",
    });
  }
  const shape = ort.dims;
  const data = ort.data;
  switch (datatype) {
    case "BYTES":
      return createTensor({ name, datatype, shape, parameters, data: stringsToBytes(name, data) });
    case "FP16": {
      // ORT hands float16 data out as a Float16Array when the runtime has one (Node 24 does).
      const view = data as ArrayBufferView;
      const bits = new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2);
      return createTensor({ name, datatype, shape, parameters, data: bits });
    }
    default:
      return createTensor({ name, datatype, shape, parameters, data: data as Tensor["data"] });
  }
}

function stringsToBytes(tensor: string, data: unknown): Uint8Array[] {
  if (!Array.isArray(data)) {
    throw invalidArgument(`tensor '${tensor}': an ONNX Runtime string tensor must hold a string array`, {
      tensor,
      field: "data",
    });
  }
  return data.map((s: unknown, i) => {
    if (typeof s !== "string" || loneSurrogate.test(s)) {
      throw invalidArgument(`tensor '${tensor}': string element ${i} is not well-formed Unicode text`, {
        tensor,
        field: "data",
      });
    }
    return utf8Encoder.encode(s);
  });
}
