export type { ControlMode } from "../registry/model-registry.js";
export type { ModelDeclaration } from "../repository/memory-source.js";
export { createDataPlane, type DataPlaneDeps } from "./create-data-plane.js";
export type {
  DataPlane,
  Duration,
  InferContext,
  ModelMetadata,
  ModelRef,
  ModelState,
  ModelStatistics,
  RepositoryIndexEntry,
  ServerMetadata,
  TensorMetadata,
} from "./data-plane.js";
export {
  createServerCore,
  makeServerCoreOptions,
  type ServerCore,
  type ServerCoreOptions,
} from "./server-core.js";
