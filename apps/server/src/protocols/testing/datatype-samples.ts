import type { Datatype } from "@tensorwire/codec";

/** Two JSON values per datatype, within range and exactly representable, for the identity_<datatype> models. */
export const datatypeSamples: Record<Datatype, unknown[]> = {
  BOOL: [true, false],
  UINT8: [0, 200],
  UINT16: [0, 60000],
  UINT32: [0, 4000000000],
  UINT64: [0, 200],
  INT8: [-3, 100],
  INT16: [-300, 30000],
  INT32: [-3, 2000000000],
  INT64: [-3, 100],
  FP16: [0.5, -2],
  FP32: [0.5, -2.25],
  FP64: [0.1, -2.25],
  BYTES: ["a", "héllo"],
};
