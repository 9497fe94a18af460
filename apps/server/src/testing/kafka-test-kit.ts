import { toBinary } from "@bufbuild/protobuf";
import { Consumer, type Message, type Producer } from "@platformatic/kafka";
import type { InferRequest } from "@tensorwire/codec";
import { encodeGrpcInferRequest } from "@tensorwire/codec/grpc";
import { ModelInferRequestSchema } from "@tensorwire/proto/oip";

/** @private Helpers shared by the Kafka tests. */

export function bytesOf(request: InferRequest): Buffer {
  return Buffer.from(toBinary(ModelInferRequestSchema, encodeGrpcInferRequest(request)));
}

export function header(m: Message, name: string): string | undefined {
  for (const [k, v] of m.headers) {
    if (k.toString() === name) {
      return v.toString();
    }
  }
  return undefined;
}

export function send(
  producer: Producer,
  topic: string,
  key: string,
  value: Buffer,
  headers: Record<string, string> = {},
) {
  return producer.send({
    messages: [
      {
        topic,
        key: Buffer.from(key),
        value,
        headers: new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      },
    ],
  });
}

export type Collector = ReturnType<typeof collect>;

/**
 * Reads topics from the beginning into `messages`, surviving broker restarts: a failed consumer is
 * replaced by a fresh group that rereads from the start, and offsets already seen are skipped.
 * Consuming also retries until topics the server just created are known to the broker.
 */
export function collect(bootstrap: string, topics: string[], { defaultTimeoutMs = 20_000 } = {}) {
  const messages: Message[] = [];
  const seen = new Set<string>();
  let consumer: Consumer | undefined;
  let closed = false;
  const loop = async (): Promise<void> => {
    while (!closed) {
      try {
        consumer = new Consumer({
          clientId: "test-collector",
          groupId: `collector-${Math.random()}`,
          bootstrapBrokers: [bootstrap],
          retries: 5,
          retryDelay: 250,
        });
        const stream = await consumer.consume({ topics, mode: "earliest", autocommit: false });
        await new Promise<void>((resolve) => {
          stream.on("data", (m: Message) => {
            const id = `${m.topic}/${m.partition}/${m.offset}`;
            if (!seen.has(id)) {
              seen.add(id);
              messages.push(m);
            }
          });
          stream.once("error", () => resolve());
          stream.once("close", () => resolve());
        });
      } catch {
        // Broker down or topics not yet known: try again.
      }
      await consumer?.close(true).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };
  const done = loop();
  return {
    messages,
    async waitFor(predicate: (all: Message[]) => boolean, timeoutMs = defaultTimeoutMs): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) {
          throw new Error(`timed out with ${messages.length} messages`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      closed = true;
      await consumer?.close(true).catch(() => {});
      await done;
    },
  };
}
