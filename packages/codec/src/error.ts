/*
 * The one error type of tensorwire. Codecs, the server and the clients throw it; transports turn it
 * into an HTTP status or a gRPC status through `errorStatus`, the only place that mapping lives.
 */

/** What went wrong: the closed set of error codes, each with one HTTP and one gRPC status. */
export type ErrorCode =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "resource_exhausted"
  | "unauthenticated"
  | "permission_denied"
  | "unavailable"
  | "unimplemented"
  | "deadline_exceeded"
  | "cancelled"
  | "internal";

/**
 * The one mapping from error code to HTTP and gRPC status. gRPC status numbers are fixed by the
 * gRPC spec (google.rpc.Code); they equal Connect's `Code` enum.
 *
 * @example
 * errorStatus.not_found; // { http: 404, grpc: 5 }
 */
export const errorStatus: Readonly<
  Record<
    ErrorCode,
    {
      /** The HTTP status a REST response carries. */
      readonly http: number;
      /** The gRPC status code (google.rpc.Code) a gRPC response carries. */
      readonly grpc: number;
    }
  >
> = {
  // A client's mistake: Triton, KServe and the OIP spec all answer 400.
  invalid_argument: { http: 400, grpc: 3 },
  // Triton and MLServer answer 404 for unknown models; the spec allows 400, 404 is the stricter choice.
  not_found: { http: 404, grpc: 5 },
  already_exists: { http: 409, grpc: 6 },
  // Triton folds FAILED_PRECONDITION into 400; Seldon's pipeline gateway uses 424 only for readiness.
  failed_precondition: { http: 400, grpc: 9 },
  // Oversized bodies: 413 is what HTTP clients and proxies understand.
  resource_exhausted: { http: 413, grpc: 8 },
  unauthenticated: { http: 401, grpc: 16 },
  permission_denied: { http: 403, grpc: 7 },
  // Not ready / draining: Triton and KServe both answer 503.
  unavailable: { http: 503, grpc: 14 },
  unimplemented: { http: 501, grpc: 12 },
  deadline_exceeded: { http: 504, grpc: 4 },
  // 499 is the de-facto "client closed request" status (nginx, TF-Serving).
  cancelled: { http: 499, grpc: 1 },
  internal: { http: 500, grpc: 13 },
};

/** Where an error points: the tensor and the field it concerns. */
export interface ErrorDetails {
  /** The tensor the error concerns, when there is one. */
  readonly tensor?: string;
  /** The field (JSON key, proto field, header) that was wrong. */
  readonly field?: string;
}

/**
 * The error every part of tensorwire throws: a closed `code`, a message that names the tensor, the
 * field and what was expected, and the HTTP and gRPC statuses the code maps to.
 *
 * @example
 * try {
 *   createTensor({ name: "x", datatype: "FP32", shape: [2], data: new Float32Array(3) });
 * } catch (err) {
 *   const e = TensorwireError.from(err);
 *   e.code; // "invalid_argument"
 *   e.httpStatus; // 400
 * }
 */
export class TensorwireError extends Error {
  /** Always "TensorwireError". */
  override readonly name = "TensorwireError";
  /** What went wrong, as one of a closed set of codes. */
  readonly code: ErrorCode;
  /** The tensor the error concerns, when there is one. */
  readonly tensor: string | undefined;
  /** The field (JSON key, proto field, header) that was wrong, when there is one. */
  readonly field: string | undefined;

  /**
   * An error with its code; `invalidArgument` is the shorthand for a client's mistake.
   *
   * @param code - What went wrong.
   * @param message - The sentence clients see, naming the field and what was expected.
   * @param details - The tensor and field it concerns.
   * @param options - The underlying error, as `Error`'s `cause`.
   */
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.tensor = details.tensor;
    this.field = details.field;
  }

  /** The HTTP status of `code`, from `errorStatus`. */
  get httpStatus(): number {
    return errorStatus[this.code].http;
  }

  /** The gRPC status number of `code`, from `errorStatus`. */
  get grpcStatus(): number {
    return errorStatus[this.code].grpc;
  }

  /** Anything thrown becomes a TensorwireError; foreign errors are internal faults, never a client's. */
  static from(err: unknown): TensorwireError {
    if (err instanceof TensorwireError) {
      return err;
    }
    const message = err instanceof Error ? err.message : String(err);
    return new TensorwireError("internal", message, {}, { cause: err });
  }
}

/** Shorthand for the most common failure: a request that does not match what was expected. */
export function invalidArgument(message: string, details: ErrorDetails = {}): TensorwireError {
  return new TensorwireError("invalid_argument", message, details);
}

/** Validators return a result; exactly one caller turns a failure into a thrown error. */
export type Result<T> =
  | {
      /** Valid. */
      readonly ok: true;
      /** The validated value. */
      readonly value: T;
    }
  | {
      /** Invalid. */
      readonly ok: false;
      /** What is wrong, as a sentence for the error message. */
      readonly error: string;
    };
