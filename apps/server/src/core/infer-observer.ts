/** Told about every inference that reached a model version: metrics and request logs. */
export interface InferObserver {
  /** Called once per inference, after its response or failure. */
  inferred(event: InferEvent): void;
}

/** One inference as an {@link InferObserver} sees it. */
export interface InferEvent {
  /** The model's name. */
  readonly model: string;
  /** The version that ran. */
  readonly version: string;
  /** The protocol it came by (see `InferContext.protocol`). */
  readonly protocol: string;
  /** The request id the response carried. */
  readonly requestId: string;
  /** Undefined on success. */
  readonly error: unknown;
  /** Nanoseconds from the request reaching the data plane to its answer. */
  readonly totalNs: number;
  /** Time spent queued for a batch; 0 without batching. */
  readonly queueNs: number;
  /** Dimension 0 of the run the request joined (the batch's, with batching). */
  readonly batchSize: number;
}
