export type { BlobSpec } from "./blob-bytes.js";
export type {
  CaseSpec,
  CheckSpec,
  Derivation,
  ExpectSpec,
  GrpcMethodName,
  GrpcRequestSpec,
  HttpRequestSpec,
  JsonType,
  Level,
  Mode,
  ProbeSpec,
  RequestSpec,
  Requirements,
  SourceSpec,
  Step,
  SuiteFile,
} from "./case-schema.js";
export { parseSuiteFile } from "./case-schema.js";
export { main } from "./cli.js";
export { datatypeSamples, expandTemplate } from "./datatype-samples.js";
export { type Datatype, datatypes } from "./datatype-table.js";
export { deriveOutputs } from "./derive-outputs.js";
export type { Protocol, ServerMetadata } from "./discovery.js";
export { type ExactJsonOptions, parseExactJson, stringifyExactJson } from "./exact-json.js";
export {
  formatJunit,
  formatReport,
  formatTable,
  type ReportFormat,
  reportFormats,
  verdictLine,
} from "./format-report.js";
export { type KnownFailing, parseKnownFailing } from "./known-failing.js";
export { type ConformanceCase, defaultCasesDir, loadSuites, parseCaseYaml } from "./load-suites.js";
export type { OracleRequest } from "./read-request.js";
export type { OracleResponse } from "./read-response.js";
export type {
  CaseResult,
  CaseStatus,
  ConformanceOptions,
  ExitCode,
  Report,
  SkipGroup,
  SkipKind,
} from "./run-conformance.js";
export { runConformance } from "./run-conformance.js";
export type { Element, OracleTensor } from "./tensor-elements.js";
export { UnreachableError } from "./unreachable-error.js";
