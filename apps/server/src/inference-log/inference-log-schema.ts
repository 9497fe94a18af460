import { readFileSync } from "node:fs";
import avro from "avsc";

/**
 * One inference as logged to Kafka: the Avro record `inferencelog` of schemas/inferencelog.avsc,
 * field for field the schema Hopsworks documents for its serving request log.
 */
export interface InferenceLogRecord {
  /** Tensorwire has no numeric model ids: a stable 31-bit FNV-1a hash of the model name. */
  readonly modelId: number;
  readonly modelName: string;
  /** The version that answered when numeric, else 0 (no version, or a non-numeric one). */
  readonly modelVersion: number;
  /** Milliseconds since the epoch when the request arrived. */
  readonly requestTimestamp: number;
  /** 200, or the HTTP status of the error's code (whatever protocol the request came by). */
  readonly responseHttpCode: number;
  /** The request as OIP REST JSON. */
  readonly inferenceRequest: string;
  /** The response as OIP REST JSON, or `{"error":"<message>"}`. */
  readonly inferenceResponse: string;
}

// src/inference-log and dist/inference-log are both two levels below the package root.
const schemaUrl = new URL("../../schemas/inferencelog.avsc", import.meta.url);

/** The Avro type of `InferenceLogRecord`, parsed from the schema file shipped with the package. */
export const inferenceLogType: avro.Type = avro.Type.forSchema(JSON.parse(readFileSync(schemaUrl, "utf8")));

export function encodeInferenceLog(record: InferenceLogRecord): Buffer {
  return inferenceLogType.toBuffer(record);
}

export function decodeInferenceLog(bytes: Buffer): InferenceLogRecord {
  return inferenceLogType.fromBuffer(bytes) as InferenceLogRecord;
}

/** FNV-1a over the UTF-16 code units, folded to a non-negative Avro int. */
export function modelIdOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}
