import { once } from "node:events";
import { toBinary } from "@bufbuild/protobuf";
import { type Consumer, type Message, Producer } from "@platformatic/kafka";
import { type ErrorCode, errorStatus, type InferResponse, TensorwireError } from "@tensorwire/codec";
import { decodeGrpcInferResponseBinary, encodeGrpcInferRequest } from "@tensorwire/codec/grpc";
import { ModelInferRequestSchema } from "@tensorwire/proto/oip";
import { Xid } from "xid-ts";
import type { PipelineDescription } from "../core/data-plane.js";
import type { StepCaller } from "../pipeline/run-pipeline.js";
import { createResilientConsumer } from "./create-resilient-consumer.js";
import { bufferHeaders, kafkaHeaders, topicName } from "./kafka-topics.js";

export interface KafkaStepCallerOptions {
  readonly bootstrapBrokers: readonly string[];
  readonly namespace: string;
  /** The models the pipelines' steps call: their outputs topics are read. */
  readonly models: readonly string[];
  readonly clientId: string;
  /** Prefix of this caller's own consumer group (a new XID is appended). */
  readonly groupId: string;
  /** How long a step waits for its model's answer before it fails with deadline_exceeded. */
  readonly timeoutMs: number;
}

export interface KafkaStepCaller {
  /**
   * The step caller for one pipeline request: each step goes out with the request's id as key,
   * its `x-` headers, and headers `pipeline`, `pipeline-step` and `x-pipeline-version`.
   */
  forRequest(pipeline: PipelineDescription, headers: ReadonlyMap<string, string>): StepCaller;
  /** Steps waiting for their model's answer. */
  pending(): number;
  /** Fails the steps still waiting (unavailable), stops reading and disconnects. */
  close(): Promise<void>;
}

interface Waiter {
  readonly resolve: (response: InferResponse) => void;
  readonly reject: (error: Error) => void;
}

// After a failed consumer, wait before rejoining so a restarting broker is not hammered.
const restartDelayMs = 500;

/**
 * Runs pipeline steps through their models' Kafka topics, as Seldon's dataflow engine does, so
 * that each step's request and answer can be read on the topics:
 *
 *   step inputs  → `seldon.<ns>.model.<model>.inputs`  (key = request id; headers `pipeline`,
 *                  `pipeline-step`, `x-pipeline-version`, `x-request-id` and the request's `x-`)
 *   gateway model consumer answers on `seldon.<ns>.model.<model>.outputs`, copying those headers
 *   step answer  ← read here, matched on (pipeline, step, key)
 *
 * Answers without `pipeline-step` (plain model requests) or that no step waits for (another
 * gateway's, or history) are skipped. The consumer has a group of its own, so every gateway sees
 * every answer; it starts at the end of the topics and commits, so after a broker restart it
 * resumes where it stopped. An answer carrying `error` fails the step with its `error-code`.
 */
export async function startKafkaStepCaller(options: KafkaStepCallerOptions): Promise<KafkaStepCaller> {
  const bootstrapBrokers = [...options.bootstrapBrokers];
  const topics = [...new Set(options.models)].map((m) => topicName(options.namespace, "model", m, "outputs"));
  const groupId = `${options.groupId}.${new Xid().toString()}`;
  const waiters = new Map<string, Waiter[]>();
  let closing = false;
  let consumer: Consumer | undefined;

  const receive = (message: Message): void => {
    let pipeline: string | undefined;
    let step: string | undefined;
    let error: string | undefined;
    let code: string | undefined;
    for (const [key, value] of message.headers) {
      switch (key.toString().toLowerCase()) {
        case kafkaHeaders.pipeline:
          pipeline = value.toString();
          break;
        case kafkaHeaders.step:
          step = value.toString();
          break;
        case kafkaHeaders.error:
          error = value.toString();
          break;
        case kafkaHeaders.errorCode:
          code = value.toString();
          break;
      }
    }
    if (pipeline === undefined || step === undefined || !message.key?.length) {
      return;
    }
    const id = waiterKey(pipeline, step, message.key.toString());
    const queue = waiters.get(id);
    // A repeated request id waits in line: answers are taken in the order the steps were sent.
    const waiter = queue?.shift();
    if (waiter === undefined) {
      return;
    }
    if (queue?.length === 0) {
      waiters.delete(id);
    }
    if (error !== undefined) {
      const known = code !== undefined && code in errorStatus;
      waiter.reject(new TensorwireError(known ? (code as ErrorCode) : "internal", error));
      return;
    }
    try {
      waiter.resolve(decodeGrpcInferResponseBinary(message.value));
    } catch (err) {
      waiter.reject(TensorwireError.from(err));
    }
  };

  const consume = async (first: boolean): Promise<void> => {
    const current = createResilientConsumer(options.clientId, groupId, bootstrapBrokers);
    consumer = current;
    try {
      const stream = await current.consume({
        topics,
        autocommit: true,
        mode: "committed",
        fallbackMode: "latest",
      });
      stream.on("data", receive);
      const ended = new Promise<void>((resolve) => {
        stream.once("error", () => resolve());
        stream.once("close", () => resolve());
      });
      if (first) {
        // Steps sent before the end offsets are known could have their answers skipped.
        await Promise.race([once(stream, "offsets"), ended]);
        // Without a commit, a consumer restarted after a broker failure would start from the end
        // again and skip the answers produced while it was down.
        await current.commit({
          offsets: [...stream.offsetsToFetch].map(([key, offset]) => {
            const at = key.lastIndexOf(":");
            return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset, leaderEpoch: -1 };
          }),
        });
        ready();
      }
      await ended;
    } finally {
      await current.close(true).catch(() => {});
    }
  };

  let ready: () => void = () => {};
  let failed: (err: unknown) => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  const supervise = async (): Promise<void> => {
    let first = true;
    while (!closing) {
      try {
        await consume(first);
      } catch (err) {
        if (first) {
          failed(err);
          return;
        }
      }
      first = false;
      if (!closing) {
        await new Promise((resolve) => setTimeout(resolve, restartDelayMs));
      }
    }
  };
  const stopped = supervise();
  const producer = new Producer({
    clientId: options.clientId,
    bootstrapBrokers,
    retries: true,
    retryDelay: 250,
  });
  try {
    await started;
  } catch (err) {
    closing = true;
    await producer.close();
    throw err;
  }

  const forRequest = (pipeline: PipelineDescription, headers: ReadonlyMap<string, string>): StepCaller => {
    return async (step, request, context) => {
      const requestId = context.requestId;
      const id = waiterKey(pipeline.name, step.name, requestId);
      const inputs = topicName(options.namespace, "model", step.model, "inputs");
      const outputs = topicName(options.namespace, "model", step.model, "outputs");
      let settle: Waiter = { resolve: () => {}, reject: () => {} };
      const answer = new Promise<InferResponse>((resolve, reject) => {
        settle = { resolve, reject };
      });
      // The answer may fail while the send is still retrying, before anyone awaits it.
      answer.catch(() => {});
      const fail = (err: Error): void => {
        const queue = waiters.get(id);
        const at = queue?.indexOf(waiter) ?? -1;
        if (at >= 0) {
          queue?.splice(at, 1);
        }
        if (queue?.length === 0) {
          waiters.delete(id);
        }
        waiter.reject(err);
      };
      const timer = setTimeout(
        () =>
          fail(
            new TensorwireError(
              "deadline_exceeded",
              `no answer on ${outputs} within ${options.timeoutMs} ms for request id '${requestId}' (is a gateway consuming ${inputs}?)`,
            ),
          ),
        options.timeoutMs,
      );
      const waiter: Waiter = {
        resolve: (response) => {
          clearTimeout(timer);
          settle.resolve(response);
        },
        reject: (err) => {
          clearTimeout(timer);
          settle.reject(err);
        },
      };
      const queue = waiters.get(id);
      if (queue === undefined) {
        waiters.set(id, [waiter]);
      } else {
        queue.push(waiter);
      }
      const out = new Map(headers);
      out.set(kafkaHeaders.requestId, requestId);
      out.set(kafkaHeaders.pipeline, pipeline.name);
      out.set(kafkaHeaders.step, step.name);
      out.set(kafkaHeaders.pipelineVersion, pipeline.version);
      const bytes = toBinary(
        ModelInferRequestSchema,
        encodeGrpcInferRequest({ ...request, modelName: step.model }),
      );
      try {
        await producer.send({
          messages: [
            {
              topic: inputs,
              key: Buffer.from(requestId),
              value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
              headers: bufferHeaders(out),
            },
          ],
        });
      } catch (err) {
        fail(TensorwireError.from(err));
      }
      return answer;
    };
  };

  return {
    forRequest,
    pending: () => [...waiters.values()].reduce((n, q) => n + q.length, 0),
    async close() {
      closing = true;
      for (const waiter of [...waiters.values()].flat()) {
        waiter.reject(new TensorwireError("unavailable", "the Kafka step caller is closing"));
      }
      waiters.clear();
      await consumer?.close(true).catch(() => {});
      await stopped;
      await producer.close();
    },
  };
}

function waiterKey(pipeline: string, step: string, requestId: string): string {
  return `${pipeline}\u0000${step}\u0000${requestId}`;
}
