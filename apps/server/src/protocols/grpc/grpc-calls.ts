import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import { parseTimeout } from "@connectrpc/connect/protocol-grpc";
import { errorStatus, TensorwireError } from "@tensorwire/codec";
import type { DataPlane } from "../../core/data-plane.js";
import type { InferTarget } from "../../core/infer-target.js";
import type { Authorize } from "../../http/authorize.js";
import { isEchoedHeader } from "../../http/request-headers.js";
import {
  namedTarget,
  pipelineVersionFor,
  requestIdFrom,
  requestIdHeader,
  resolveTarget,
  seldonModelHeader,
} from "../seldon-headers.js";

/** A call's request headers, as connect's web `Headers` and node:http2's header objects both give them. */
export interface CallHeaders {
  /** Repeated headers joined with ", ", as `Headers.get` does; undefined when absent. Unbound. */
  readonly get: (name: string) => string | undefined;
  forEach(visit: (value: string, name: string) => void): void;
}

/** What the boundary decided when a call starts. */
export interface CallStart {
  /** The request id an inference call runs with (the caller's `x-request-id`, else a new XID); "" for others. */
  readonly requestId: string;
  /** Response headers (trailers, on failure): the `x-` request headers, and `x-request-id` and `x-pipeline-version` on inference calls. */
  readonly echo: readonly (readonly [string, string])[];
}

export interface GrpcCallsOptions {
  readonly dataPlane: DataPlane;
  /** The credential check the REST router uses too; undefined: none configured. */
  readonly authorize: Authorize | undefined;
  /** Told about server faults (internal errors) with the RPC name (`<service>/<method>`). */
  readonly onServerFault: (rpc: string, err: unknown) => void;
  /** `DialectOptions.grpcRawOutput`: answer raw contents to every request. Default false. */
  readonly grpcRawOutput?: boolean;
}

/**
 * The request logic every RPC shares, on the connect path (through `createBoundaryInterceptor`)
 * and on OIP's fast path alike, so the two answer the same: the credential check, request ids and
 * echoed headers, the target of an inference request, deadlines, and the one error → gRPC status
 * mapping.
 */
export interface GrpcCalls {
  /** The boundary's first step: request id and echoed headers. `modelName`: the inference message's. */
  start(method: string, headers: CallHeaders, modelName?: string): CallStart;
  /** Throws unauthenticated unless the call may proceed (`<service>/<method>`; health RPCs per `publicHealth`). */
  authorize(rpc: string, headers: CallHeaders): void;
  /** The target of an OIP inference message: `seldon-model` wins; an empty model name is invalid_argument. */
  inferTarget(modelName: string, modelVersion: string, headers: CallHeaders): InferTarget;
  /**
   * How an inference answer carries its tensors: raw when the request was sent raw, or when the
   * target's config (`grpcRawOutput`), else the server's option, asks for raw answers.
   */
  outputContents(target: InferTarget, rawInput: boolean): "raw" | "typed";
  /** A `grpc-timeout` value as connect reads it: milliseconds, none, or the error to answer. */
  deadline(value: string | undefined): { readonly timeoutMs?: number; readonly error?: ConnectError };
  /**
   * The error a failed call answers: a `ConnectError` with the gRPC status of its code (from the
   * codec's one `errorStatus` table) carrying `echo` as metadata. Server faults are reported once.
   */
  failure(rpc: string, err: unknown, echo: CallStart["echo"]): ConnectError;
}

/** The request id the boundary chose for this call, for the handler (see `GrpcCalls.start`). */
export const requestIdKey = createContextKey<string>("");

/** RPCs whose responses carry `x-request-id` (Seldon: every inference response). */
const inferenceMethods = new Set(["ModelInfer", "ModelStreamInfer"]);

/** gRPC's health RPCs, public like the REST probes (`<service type name>/<method>`). */
const healthRpcs = new Set([
  "inference.GRPCInferenceService/ServerLive",
  "inference.GRPCInferenceService/ServerReady",
  "grpc.health.v1.Health/Check",
  "grpc.health.v1.Health/Watch",
  "grpc.health.v1.Health/List",
]);

/** Whether an RPC (`<service type name>/<method>`) is a health probe, public per `publicHealth`. */
export function isHealthRpc(rpc: string): boolean {
  return healthRpcs.has(rpc);
}

export function createGrpcCalls(options: GrpcCallsOptions): GrpcCalls {
  const { dataPlane, authorize, onServerFault } = options;
  const rawByDefault = options.grpcRawOutput ?? false;

  const pipelineVersion = (modelName: string | undefined, headers: CallHeaders): [string, string][] => {
    let target: InferTarget;
    try {
      target = resolveTarget(namedTarget(modelName ?? ""), headers.get(seldonModelHeader));
    } catch {
      // A bad seldon-model header fails the call later, with the echoed headers.
      return [];
    }
    return pipelineVersionFor(dataPlane, target);
  };

  return {
    start(method, headers, modelName) {
      const echo: [string, string][] = [];
      headers.forEach((value, name) => {
        if (isEchoedHeader(name)) {
          echo.push([name, value]);
        }
      });
      if (!inferenceMethods.has(method)) {
        return { requestId: "", echo };
      }
      const requestId = requestIdFrom(headers.get(requestIdHeader));
      echo.push([requestIdHeader, requestId], ...pipelineVersion(modelName, headers));
      return { requestId, echo };
    },

    authorize(rpc, headers) {
      const denied = authorize?.(headers.get, healthRpcs.has(rpc) ? "health" : undefined);
      if (denied !== undefined) {
        throw denied;
      }
    },

    inferTarget(modelName, modelVersion, headers) {
      const target = resolveTarget(namedTarget(modelName, modelVersion), headers.get(seldonModelHeader));
      if (target.name === "") {
        throw new TensorwireError("invalid_argument", "model_name is empty: name the model to run", {
          field: "model_name",
        });
      }
      return target;
    },

    outputContents(target, rawInput) {
      if (rawInput) {
        return "raw";
      }
      const described = dataPlane.describe(target);
      const raw = described?.kind === "model" ? (described.grpcRawOutput ?? rawByDefault) : rawByDefault;
      return raw ? "raw" : "typed";
    },

    deadline(value) {
      // connect-node reads the header the same way, with no upper bound of its own.
      const { timeoutMs, error } = parseTimeout(value ?? null, Number.MAX_SAFE_INTEGER);
      return error === undefined ? (timeoutMs === undefined ? {} : { timeoutMs }) : { error };
    },

    failure(rpc, err, echo) {
      const error = toConnectError(err);
      for (const [name, value] of echo) {
        error.metadata.set(name, value);
      }
      if (isServerFault(error)) {
        onServerFault(rpc, err);
      }
      return error;
    },
  };
}

/** A `ConnectError` whose code is the gRPC status of the error's code (Connect's numbers are gRPC's). */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) {
    return err;
  }
  const tw = TensorwireError.from(err);
  return new ConnectError(tw.message, errorStatus[tw.code].grpc as Code, undefined, undefined, err);
}

/** True for failures that are the server's fault, which are logged. */
function isServerFault(err: ConnectError): boolean {
  return err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.DataLoss;
}

/** A connect `Headers` as `CallHeaders` (its `get` answers null for an absent header). */
export function webCallHeaders(headers: Headers): CallHeaders {
  return {
    get: (name) => headers.get(name) ?? undefined,
    forEach: (visit) => headers.forEach(visit),
  };
}
