/** Told about every inference that reached a model version: metrics and request logs. */
export interface InferObserver {
  inferred(event: InferEvent): void;
}

export interface InferEvent {
  readonly model: string;
  readonly version: string;
  readonly protocol: string;
  readonly requestId: string;
  /** Undefined on success. */
  readonly error: unknown;
  readonly totalNs: number;
  /** Time spent queued for a batch; 0 without batching. */
  readonly queueNs: number;
  /** Dimension 0 of the run the request joined (the batch's, with batching). */
  readonly batchSize: number;
}
