export type { ModelMetadata, ServerMetadata, TensorMetadata } from "@tensorwire/codec";
export type { Auth, ClientOptions, ClientProtocol, LogEntry, TlsOptions } from "./client-options.js";
export { createOipClient } from "./create-oip-client.js";
export type { InferInput, InferInputOptions, InputData, InputValues, NestedValues } from "./infer-input.js";
export { inferInput, inferInputRaw } from "./infer-input.js";
export { InferResult } from "./infer-result.js";
export { InferenceError } from "./inference-error.js";
export type {
  KServeV1Client,
  KServeV1ClientOptions,
  KServeV1InferCallOptions,
  KServeV1JsonCallOptions,
} from "./kserve-v1-client.js";
export { createKServeV1Client } from "./kserve-v1-client.js";
export type {
  ModelStatistics,
  OipClient,
  OipClientOptions,
  OipInferCallOptions,
  OipModelCallOptions,
  OipRepositoryIndexCallOptions,
  RepositoryIndexEntry,
  StatisticDuration,
} from "./oip-client.js";
export { seldonPipeline } from "./oip-client.js";
export type { RequestedOutputOptions } from "./requested-output.js";
export { requestedOutput } from "./requested-output.js";
export type {
  SeldonV1Client,
  SeldonV1ClientOptions,
  SeldonV1PredictCallOptions,
  SeldonV1Prediction,
} from "./seldon-v1-client.js";
export { createSeldonV1Client } from "./seldon-v1-client.js";
export type {
  TabularClient,
  TabularClientOptions,
  TabularFormat,
  TabularInferCallOptions,
  TabularInput,
  TabularParallelInferCallOptions,
  TabularParallelOutcome,
  TabularResult,
} from "./tabular-client.js";
export { createTabularClient } from "./tabular-client.js";
export type {
  TfServingCallOptions,
  TfServingClient,
  TfServingClientOptions,
  TfServingExample,
  TfServingExamplesCallOptions,
  TfServingPredictCallOptions,
} from "./tf-serving-client.js";
export { createTfServingClient } from "./tf-serving-client.js";
