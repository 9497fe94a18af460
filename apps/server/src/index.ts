export type {
  ControlMode,
  DataPlane,
  Duration,
  InferContext,
  ModelDeclaration,
  ModelMetadata,
  ModelRef,
  ModelState,
  ModelStatistics,
  RepositoryIndexEntry,
  ServerCore,
  ServerCoreOptions,
  ServerMetadata,
  TensorMetadata,
} from "./core/index.js";
export { createServerCore, makeServerCoreOptions } from "./core/index.js";
export type { Listener, ListenOptions } from "./listen.js";
export { listen } from "./listen.js";
export type { RunningServer, StartServerOptions } from "./start-server.js";
export { startServer, urlHost } from "./start-server.js";
export type { TransportOptions } from "./transport/create-handler.js";
export { createRequestHandler } from "./transport/create-handler.js";
export type { NodeHandlerFn, NodeServerRequest, NodeServerResponse } from "./transport/node-types.js";
export { defaultMaxInputSize } from "./transport/rest/handler.js";
