export {
  type Auth,
  type ClientOptions,
  type LogEntry,
  makeClientOptions,
  type TlsOptions,
} from "./client-options.js";
export { createInferenceClient, type OipProtocol } from "./create-inference-client.js";
export type { HttpClient, HttpRequest, HttpResponse, TransportFailureKind } from "./http-client.js";
export { TransportFailure } from "./http-client.js";
export {
  type InferInput,
  type InferInputOptions,
  type InputData,
  type InputValues,
  inferInput,
  inferInputRaw,
  type NestedValues,
} from "./infer-input.js";
export { InferResult } from "./infer-result.js";
export { codeFromGrpcStatus, codeFromHttpStatus, InferenceError } from "./inference-error.js";
export {
  createKServeClient,
  type KServeClient,
  type KServeClientOptions,
  type KServeInferOptions,
  type KServeJsonOptions,
  type KServeProtocol,
  makeKServeClientOptions,
} from "./kserve-client.js";
export {
  type InferOptions,
  type ModelMetadata,
  type ModelStatistics,
  makeOipClientOptions,
  type OipClient,
  type OipClientOptions,
  type RepositoryIndexEntry,
  type ServerMetadata,
  type StatisticDuration,
  seldonPipeline,
  type TensorMetadata,
  type VersionOptions,
} from "./oip-client.js";
export { createGrpcInferenceClient, createOipGrpcClient, type GrpcProtocol } from "./oip-grpc-client.js";
export { createOipRestClient } from "./oip-rest-client.js";
export { type RequestedOutputOptions, requestedOutput } from "./requested-output.js";
export {
  createSeldonV1Client,
  createSeldonV1GrpcClient,
  createSeldonV1GrpcClientFor,
  makeSeldonV1ClientOptions,
  type SeldonPrediction,
  type SeldonPredictOptions,
  type SeldonV1Client,
  type SeldonV1ClientOptions,
} from "./seldon-v1-client.js";
export {
  createTabularClient,
  makeTabularClientOptions,
  type ParallelInferOptions,
  type ParallelOutcome,
  type TabularClient,
  type TabularClientOptions,
  type TabularFormat,
  type TabularInferOptions,
  type TabularInput,
  type TabularResult,
} from "./tabular-client.js";
export {
  createTfServingClient,
  type ServableOptions,
  type TfExample,
  type TfExamplesOptions,
  type TfPredictOptions,
  type TfServingClient,
} from "./tf-serving-client.js";
