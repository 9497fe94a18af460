export type {
  BlobSpec,
  CaseSpec,
  CheckSpec,
  Derivation,
  ExpectSpec,
  GrpcRequestSpec,
  HttpRequestSpec,
  Level,
  Mode,
  ProbeSpec,
  RequestSpec,
  Requirements,
  Step,
  SuiteFile,
} from "./case-schema.js";
export { parseSuiteFile } from "./case-schema.js";
export { main } from "./cli.js";
export { datatypeSamples, expandTemplate } from "./datatype-samples.js";
export { deriveOutputs } from "./derive-outputs.js";
export { formatJunit, formatReport, formatTable, type ReportFormat, reportFormats } from "./format-report.js";
export { type KnownFailing, parseKnownFailing } from "./known-failing.js";
export { type ConformanceCase, defaultCasesDir, loadSuites } from "./load-suites.js";
export type { CaseResult, CaseStatus, ConformanceOptions, Report } from "./run-conformance.js";
export { runConformance } from "./run-conformance.js";
