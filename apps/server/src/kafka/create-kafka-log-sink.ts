import { Producer } from "@platformatic/kafka";
import type { InferenceLogSink } from "../inference-log/create-inference-logger.js";

export interface KafkaLogSinkOptions {
  readonly bootstrapBrokers: readonly string[];
  /** The topic of the `inferencelog` Avro records. Default "tensorwire.inferencelog". */
  readonly topic: string;
  /** Default "tensorwire-inference-log". */
  readonly clientId: string;
}

export interface KafkaLogSink {
  readonly sink: InferenceLogSink;
  close(): Promise<void>;
}

/**
 * Sends inference log records to a topic, keyed by request id. Retries are bounded (3, the
 * client's default): the logger counts a batch that still fails as lost instead of queueing
 * behind a broker that is down.
 */
export function createKafkaLogSink(
  options: Partial<KafkaLogSinkOptions> & Pick<KafkaLogSinkOptions, "bootstrapBrokers">,
): KafkaLogSink {
  const topic = options.topic ?? "tensorwire.inferencelog";
  const producer = new Producer({
    clientId: options.clientId ?? "tensorwire-inference-log",
    bootstrapBrokers: [...options.bootstrapBrokers],
    autocreateTopics: true,
  });
  return {
    async sink(records) {
      await producer.send({
        messages: records.map((r) => ({ topic, key: Buffer.from(r.key), value: r.value })),
      });
    },
    close: () => producer.close(),
  };
}
