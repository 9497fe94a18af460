/**
 * The tensorwire server in-process: `startServer` for tests and embedding, and the layers under
 * it (`createServerCore`, `createRequestHandler`, `listen`) for custom setups; the data plane,
 * runtime and model declaration types; `defineModel` for models written in TypeScript.
 *
 * @module
 */
export type {
  DataPlane,
  Duration,
  InferContext,
  ModelDescription,
  ModelMetadata,
  ModelState,
  ModelStatistics,
  PipelineDescription,
  RepositoryIndexEntry,
  ServerMetadata,
  TargetDescription,
  TensorMetadata,
} from "./core/data-plane.js";
export type { InferEvent, InferObserver } from "./core/infer-observer.js";
export type { InferTarget, ModelRef, PipelineRef } from "./core/infer-target.js";
export type { ExplainerConfig, ValidationConfig } from "./core/model-extras.js";
export type {
  ModelRuntime,
  ModelRuntimeContext,
  ModelRuntimeFactory,
  RunFacts,
  RuntimeInferOptions,
  RuntimeMetadata,
} from "./core/model-runtime.js";
export type { AuthOptions, PublicKind } from "./http/authorize.js";
export type { CorsOptions } from "./http/cors.js";
export type {
  NodeHandlerFn,
  NodeServerRequest,
  NodeServerResponse,
  StreamHandler,
} from "./http/node-types.js";
export type { RestMethod } from "./http/rest-route.js";
export type { RestRouteListing } from "./http/rest-router.js";
export type {
  JoinType,
  PipelineOutput,
  PipelineSpec,
  PipelineStep,
  TensorRef,
} from "./pipeline/pipeline-spec.js";
export type { DialectOptions, StreamInferFraming, V1Dialect } from "./protocols/dialect.js";
export type { GrpcLimitOptions } from "./protocols/grpc/message-limit.js";
export { defaultMaxInputSize, type RestHandlerOptions } from "./protocols/oip-rest/index.js";
export type { ControlMode } from "./registry/model-registry.js";
export type { ModelDeclaration } from "./repository/memory-source.js";
export type { ModelInputs, ModelOutputs, ModelSpec } from "./runtime/define-model.js";
export { defineModel } from "./runtime/define-model.js";
export type { RpcRouteListing } from "./server/connect-handler.js";
export type {
  RequestHandlerExtras,
  ServedRoutes,
  TransportOptions,
} from "./server/create-request-handler.js";
export { createRequestHandler } from "./server/create-request-handler.js";
export type { ServerCore, ServerCoreOptions } from "./server/create-server-core.js";
export { createServerCore, makeServerCoreOptions } from "./server/create-server-core.js";
export type { ZooGroup } from "./server/default-zoo.js";
export { zooGroups } from "./server/default-zoo.js";
export type { Listener, ListenOptions } from "./server/listen.js";
export { listen } from "./server/listen.js";
export type { RunningServer, StartServerOptions } from "./server/start-server.js";
export { startServer, urlHost } from "./server/start-server.js";
