import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { createTensor, type Tensor } from "@tensorwire/codec";
import { decodeArrowIpc, encodeArrowIpc } from "@tensorwire/codec/arrow";
import { decodeKserveV1Request, encodeKserveV1Request } from "@tensorwire/codec/kserve-v1";
import {
  decodeSeldonJson,
  decodeSeldonMessage,
  encodeSeldonJson,
  encodeSeldonMessage,
} from "@tensorwire/codec/seldon-v1";
import { decodePandasRecords, encodePandasRecords } from "@tensorwire/codec/tabular";
import {
  decodeTfServingRequest,
  encodeTfServingRequest,
  parseTfServingJson,
  stringifyTfServingJson,
} from "@tensorwire/codec/tf-serving";
import { SeldonMessageSchema } from "@tensorwire/proto/seldon";
import type { BenchCase } from "./types.ts";

/**
 * The JSON and tabular dialects (Seldon v1, KServe V1, TF-Serving, pandas records, Arrow IPC) on a
 * 1 MiB FP32 tensor ([512, 512]) and a [1, 16] INT32 tensor, encode and decode. JSON dialects are
 * grouped with a plain JSON.stringify / JSON.parse of the same nested numbers; binary ones with a
 * plain copy of the raw bytes.
 */

interface Payload {
  readonly label: string;
  readonly tensor: Tensor;
}

function fp32(): Payload {
  const data = new Float32Array(512 * 512);
  for (let i = 0; i < data.length; i++) {
    // Varied, non-round values so number formatting is exercised as with real activations.
    data[i] = Math.sin(i) * 100;
  }
  return {
    label: "fp32-1MiB",
    tensor: createTensor({ name: "x", datatype: "FP32", shape: [512, 512], data }),
  };
}

function int32(): Payload {
  const data = Int32Array.from({ length: 16 }, (_, i) => i * 7 - 50);
  return {
    label: "int32-1x16",
    tensor: createTensor({ name: "x", datatype: "INT32", shape: [1, 16], data }),
  };
}

function nested(t: Tensor): number[][] {
  const [rows, cols] = t.shape as [number, number];
  const data = t.data as Float32Array | Int32Array;
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}

function casesFor({ label, tensor }: Payload): BenchCase[] {
  const metadata = [{ name: tensor.name, datatype: tensor.datatype, shape: [-1, tensor.shape[1] as number] }];
  const spec = { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape };
  const rows = nested(tensor);
  const jsonText = JSON.stringify(rows);
  const kserveText = JSON.stringify(encodeKserveV1Request([tensor]));
  const tfText = stringifyTfServingJson(encodeTfServingRequest([tensor], { format: "row" }));
  const ndarray = { kind: "data", encoding: "ndarray", tensor, names: [] } as const;
  const seldonTensor = { kind: "data", encoding: "tensor", tensor, names: [] } as const;
  const tftensor = { kind: "data", encoding: "tftensor", tensor, names: [] } as const;
  const ndarrayText = JSON.stringify(encodeSeldonJson(ndarray));
  const seldonTensorText = JSON.stringify(encodeSeldonJson(seldonTensor));
  const tftensorText = JSON.stringify(encodeSeldonJson(tftensor));
  const tftensorBinary = toBinary(SeldonMessageSchema, encodeSeldonMessage(tftensor));
  const pandasText = JSON.stringify(encodePandasRecords([tensor]));
  const arrowFile = encodeArrowIpc([tensor], { format: "file" });
  const arrowStream = encodeArrowIpc([tensor], { format: "stream" });
  const raw = new Uint8Array(tensor.data.buffer as ArrayBuffer);

  const encode = `dialects-json-encode-${label}`;
  const decode = `dialects-json-decode-${label}`;
  const binEncode = `dialects-binary-encode-${label}`;
  const binDecode = `dialects-binary-decode-${label}`;
  const jsonEncodeBase = `json/encode/${label}`;
  const jsonDecodeBase = `json/decode/${label}`;
  const copyEncodeBase = `copy/encode/${label}`;
  const copyDecodeBase = `copy/decode/${label}`;
  // A dialect adds a walk over the values to what JSON.stringify/parse already do.
  const jsonGoal = "<= 3x";
  return [
    { name: jsonEncodeBase, group: encode, fn: () => JSON.stringify(rows) },
    {
      name: `kserve-v1/encode/${label}`,
      group: encode,
      baseline: jsonEncodeBase,
      goal: jsonGoal,
      fn: () => JSON.stringify(encodeKserveV1Request([tensor])),
    },
    {
      name: `tf-serving/encode-row/${label}`,
      group: encode,
      baseline: jsonEncodeBase,
      goal: jsonGoal,
      fn: () => stringifyTfServingJson(encodeTfServingRequest([tensor], { format: "row" })),
    },
    {
      name: `seldon-v1/encode-ndarray/${label}`,
      group: encode,
      baseline: jsonEncodeBase,
      goal: jsonGoal,
      fn: () => JSON.stringify(encodeSeldonJson(ndarray)),
    },
    {
      name: `seldon-v1/encode-tensor/${label}`,
      group: encode,
      baseline: jsonEncodeBase,
      goal: jsonGoal,
      fn: () => JSON.stringify(encodeSeldonJson(seldonTensor)),
    },
    {
      name: `seldon-v1/encode-tftensor-json/${label}`,
      group: encode,
      baseline: jsonEncodeBase,
      fn: () => JSON.stringify(encodeSeldonJson(tftensor)),
    },
    {
      name: `pandas-records/encode/${label}`,
      group: encode,
      baseline: jsonEncodeBase,
      goal: jsonGoal,
      fn: () => JSON.stringify(encodePandasRecords([tensor])),
    },

    { name: jsonDecodeBase, group: decode, fn: () => JSON.parse(jsonText) },
    {
      name: `kserve-v1/decode/${label}`,
      group: decode,
      baseline: jsonDecodeBase,
      goal: jsonGoal,
      fn: () => decodeKserveV1Request(JSON.parse(kserveText), { metadata }),
    },
    {
      name: `tf-serving/decode-row/${label}`,
      group: decode,
      baseline: jsonDecodeBase,
      goal: jsonGoal,
      fn: () => decodeTfServingRequest(parseTfServingJson(tfText), { metadata }),
    },
    // One NaN token forces the hand-written parser over the whole body.
    {
      name: `tf-serving/decode-row-nan-token/${label}`,
      group: decode,
      baseline: jsonDecodeBase,
      fn: () => parseTfServingJson(`[NaN,${jsonText}]`),
    },
    {
      name: `seldon-v1/decode-ndarray/${label}`,
      group: decode,
      baseline: jsonDecodeBase,
      goal: jsonGoal,
      fn: () => decodeSeldonJson(JSON.parse(ndarrayText), { spec }),
    },
    {
      name: `seldon-v1/decode-tensor/${label}`,
      group: decode,
      baseline: jsonDecodeBase,
      goal: jsonGoal,
      fn: () => decodeSeldonJson(JSON.parse(seldonTensorText), { spec }),
    },
    {
      name: `seldon-v1/decode-tftensor-json/${label}`,
      group: decode,
      baseline: jsonDecodeBase,
      fn: () => decodeSeldonJson(JSON.parse(tftensorText)),
    },
    {
      name: `pandas-records/decode/${label}`,
      group: decode,
      baseline: jsonDecodeBase,
      goal: jsonGoal,
      fn: () => decodePandasRecords(JSON.parse(pandasText), { metadata }),
    },

    { name: copyEncodeBase, group: binEncode, fn: () => raw.slice() },
    {
      name: `seldon-v1/encode-tftensor-proto/${label}`,
      group: binEncode,
      baseline: copyEncodeBase,
      fn: () => toBinary(SeldonMessageSchema, encodeSeldonMessage(tftensor)),
    },
    {
      name: `arrow/encode-file/${label}`,
      group: binEncode,
      baseline: copyEncodeBase,
      fn: () => encodeArrowIpc([tensor], { format: "file" }),
    },
    {
      name: `arrow/encode-stream/${label}`,
      group: binEncode,
      baseline: copyEncodeBase,
      fn: () => encodeArrowIpc([tensor], { format: "stream" }),
    },

    { name: copyDecodeBase, group: binDecode, fn: () => raw.slice() },
    {
      name: `seldon-v1/decode-tftensor-proto/${label}`,
      group: binDecode,
      baseline: copyDecodeBase,
      fn: () => decodeSeldonMessage(fromBinary(SeldonMessageSchema, tftensorBinary)),
    },
    {
      name: `arrow/decode-file/${label}`,
      group: binDecode,
      baseline: copyDecodeBase,
      fn: () => decodeArrowIpc(arrowFile),
    },
    {
      name: `arrow/decode-stream/${label}`,
      group: binDecode,
      baseline: copyDecodeBase,
      fn: () => decodeArrowIpc(arrowStream),
    },
  ];
}

export const cases: BenchCase[] = [...casesFor(fp32()), ...casesFor(int32())];
