import { toBinary } from "@bufbuild/protobuf";
import { Admin, type Consumer, type Message, Producer } from "@platformatic/kafka";
import { type InferResponse, TensorwireError } from "@tensorwire/codec";
import { decodeGrpcInferRequestBinary, encodeGrpcInferResponse } from "@tensorwire/codec/grpc";
import { ModelInferResponseSchema } from "@tensorwire/proto/oip";
import { Xid } from "xid-ts";
import type { DataPlane, InferContext } from "../core/data-plane.js";
import type { PipelineDataPlane, PipelineInferContext } from "../pipeline/create-pipeline-data-plane.js";
import { createResilientConsumer } from "./create-resilient-consumer.js";
import { type KafkaStepCaller, startKafkaStepCaller } from "./kafka-step-caller.js";
import { bufferHeaders, kafkaHeaders, topicName } from "./kafka-topics.js";

export interface KafkaGatewayOptions {
  /** `host:port` of one or more brokers. Required. */
  readonly bootstrapBrokers: readonly string[];
  /** The `<namespace>` of the topic names. Default "default", Seldon's local install. */
  readonly namespace: string;
  /**
   * Models served over Kafka. Default: every model in the repository index at start. Either way
   * the models the pipelines' steps call are added: their steps travel through those topics.
   */
  readonly models: readonly string[] | undefined;
  /** Consumer group: gateways sharing it share the work. Default "tensorwire". */
  readonly groupId: string;
  /** Messages in flight at once; the consumer pauses beyond it. Default 32. */
  readonly concurrency: number;
  /** Default "tensorwire". */
  readonly clientId: string;
  /** How long a pipeline step waits for its model's answer on Kafka. Default 60 s. */
  readonly stepTimeoutMs: number;
}

export interface KafkaGatewayStats {
  /** Outputs produced (responses and errors). */
  readonly produced: number;
  /** Of those, errors. */
  readonly failed: number;
  /** Consumer restarts after a broker or network failure. */
  readonly restarts: number;
}

export interface KafkaGateway {
  /** The input topics consumed. */
  readonly topics: readonly string[];
  stats(): KafkaGatewayStats;
  /** Stops consuming, waits for in-flight messages to be answered and committed, disconnects. */
  close(): Promise<void>;
}

export function makeKafkaGatewayOptions(
  options: Partial<KafkaGatewayOptions> & Pick<KafkaGatewayOptions, "bootstrapBrokers">,
): KafkaGatewayOptions {
  return {
    bootstrapBrokers: options.bootstrapBrokers,
    namespace: options.namespace ?? "default",
    models: options.models,
    groupId: options.groupId ?? "tensorwire",
    concurrency: options.concurrency ?? 32,
    clientId: options.clientId ?? "tensorwire",
    stepTimeoutMs: options.stepTimeoutMs ?? 60_000,
  };
}

// After a failed consumer, wait before rejoining so a restarting broker is not hammered.
const restartDelayMs = 500;

/**
 * Asynchronous inference over Kafka, as Seldon Core v2 offers it: consumes
 * `seldon.<ns>.model.<name>.inputs` and `seldon.<ns>.pipeline.<name>.inputs` (protobuf
 * `ModelInferRequest`, key = request id) and produces `ModelInferResponse` to the matching
 * `.outputs` topic with the same key.
 *
 * - Headers: `x-request-id` and every `x-` header (lowercased) are copied to the output, as are
 *   `pipeline` and `pipeline-step`; the request id is the key, else `x-request-id`, else a new XID.
 * - Failures (undecodable bytes, unknown model, inference errors) are produced to the outputs
 *   topic too, as an empty response (model name and id only) with headers `error` and
 *   `error-code`, so a caller waiting on a request id always gets an answer and no message stalls
 *   the partition.
 * - At least once: an input's offset is committed only after its output is produced, in offset
 *   order per partition, so after a crash or broker restart unanswered inputs are consumed again
 *   (a repeat carries the same request id as its key).
 * - Pipelines run their steps through the steps' model topics (see `startKafkaStepCaller`):
 *
 *     pipeline.<p>.inputs → [pipeline consumer] → for each step, in dataflow order:
 *         model.<m>.inputs → [model consumer] → model.<m>.outputs → [step caller]
 *     → pipeline.<p>.outputs (with `x-pipeline-version`), then the input's offset is committed.
 *
 *   Pipeline and model inputs have separate consumers (groups `<groupId>.pipelines` and
 *   `<groupId>`): a full pipeline consumer waits on step answers only the model consumer can
 *   produce, so one shared consumer would deadlock once its window filled with pipelines. The
 *   models consumed include every model a pipeline step calls. Steps are not inference-logged
 *   (they belong to their pipeline's request, which is); a pipeline without `output` is answered
 *   with an empty response.
 */
export async function startKafkaGateway(
  dataPlane: DataPlane | PipelineDataPlane,
  partial: Partial<KafkaGatewayOptions> & Pick<KafkaGatewayOptions, "bootstrapBrokers">,
): Promise<KafkaGateway> {
  const options = makeKafkaGatewayOptions(partial);
  const ns = options.namespace;
  const bootstrapBrokers = [...options.bootstrapBrokers];
  const pipelinePlane = "pipelines" in dataPlane ? dataPlane : undefined;
  const pipelines = [...(pipelinePlane?.pipelines.values() ?? [])];
  const stepModels = [...new Set(pipelines.flatMap((p) => p.steps.map((s) => s.model)))];
  const models = [
    ...new Set([
      ...(options.models ?? dataPlane.repositoryIndex({ readyOnly: false }).map((e) => e.name)),
      ...stepModels,
    ]),
  ];
  const routes = new Map<string, { kind: "model" | "pipeline"; name: string; output: string }>();
  for (const [kind, names] of [
    ["model", models],
    ["pipeline", pipelines.map((p) => p.name)],
  ] as const) {
    for (const name of names) {
      routes.set(topicName(ns, kind, name, "inputs"), {
        kind,
        name,
        output: topicName(ns, kind, name, "outputs"),
      });
    }
  }
  const topics = [...routes.keys()];
  const allTopics = [...topics, ...[...routes.values()].map((r) => r.output)];

  const admin = new Admin({ clientId: options.clientId, bootstrapBrokers });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = allTopics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, partitions: 1, replicas: 1 });
    }
  } finally {
    await admin.close();
  }

  const stepCaller: KafkaStepCaller | undefined =
    pipelines.length === 0
      ? undefined
      : await startKafkaStepCaller({
          bootstrapBrokers,
          namespace: ns,
          models: stepModels,
          clientId: options.clientId,
          groupId: `${options.groupId}.steps`,
          timeoutMs: options.stepTimeoutMs,
        });

  // Unlimited retries: an output must outlive a broker restart rather than be dropped.
  const producer = new Producer({
    clientId: options.clientId,
    bootstrapBrokers,
    retries: true,
    retryDelay: 250,
  });
  let produced = 0;
  let failed = 0;

  const answer = async (message: Message): Promise<void> => {
    const route = routes.get(message.topic);
    if (route === undefined) {
      return;
    }
    const headers = new Map<string, string>();
    for (const [key, value] of message.headers) {
      headers.set(key.toString().toLowerCase(), value.toString());
    }
    const key = message.key?.length ? message.key.toString() : undefined;
    const requestId = key ?? headers.get(kafkaHeaders.requestId) ?? new Xid().toString();
    const outHeaders = new Map<string, string>([[kafkaHeaders.requestId, requestId]]);
    const propagated: Record<string, string> = {};
    for (const [name, value] of headers) {
      if (
        (name.startsWith("x-") && name !== kafkaHeaders.requestId) ||
        name === kafkaHeaders.pipeline ||
        name === kafkaHeaders.step
      ) {
        outHeaders.set(name, value);
        if (name.startsWith("x-")) {
          propagated[name] = value;
        }
      }
    }
    const pipeline =
      route.kind === "pipeline" ? dataPlane.describe({ kind: "pipeline", name: route.name }) : undefined;
    if (pipeline?.kind === "pipeline") {
      // Seldon names the pipeline and its version on every pipeline output, whatever the input said.
      outHeaders.set(kafkaHeaders.pipeline, route.name);
      outHeaders.set(kafkaHeaders.pipelineVersion, pipeline.version);
    }
    let response: InferResponse;
    try {
      const request = decodeGrpcInferRequestBinary(message.value);
      const context: InferContext & { readonly headers: Readonly<Record<string, string>> } = {
        requestId,
        protocol: "kafka",
        headers: propagated,
      };
      const version = request.modelVersion === undefined ? {} : { version: request.modelVersion };
      if (route.kind === "model") {
        const step = pipelinePlane?.pipelines
          .get(headers.get(kafkaHeaders.pipeline) ?? "")
          ?.steps.find((s) => s.name === headers.get(kafkaHeaders.step) && s.model === route.name);
        response =
          step === undefined || pipelinePlane === undefined
            ? await dataPlane.infer({ name: route.name, ...version }, request, context)
            : await pipelinePlane.callStep(step, request, context);
      } else {
        const plane = pipelinePlane as PipelineDataPlane;
        if (pipeline?.kind !== "pipeline") {
          throw new TensorwireError("not_found", `pipeline '${route.name}' not found`);
        }
        const callStep = (stepCaller as KafkaStepCaller).forRequest(
          pipeline,
          new Map(Object.entries(propagated)),
        );
        const pipelineContext: PipelineInferContext = { ...context, callStep };
        // infer where it can answer, so that decorators (the inference log) see pipeline calls too.
        const answered =
          plane.pipelines.get(route.name)?.output === undefined
            ? await plane.runPipeline(route.name, request, context, callStep)
            : await plane.infer({ kind: "pipeline", name: route.name }, request, pipelineContext);
        response = answered ?? { modelName: route.name, id: requestId, outputs: [] };
      }
      response = { ...response, id: response.id ?? requestId };
    } catch (err) {
      const error = TensorwireError.from(err);
      outHeaders.set(kafkaHeaders.error, error.message);
      outHeaders.set(kafkaHeaders.errorCode, error.code);
      response = { modelName: route.name, id: requestId, outputs: [] };
      failed++;
    }
    const value = encodeResponse(response);
    await producer.send({
      messages: [
        { topic: route.output, key: Buffer.from(requestId), value, headers: bufferHeaders(outHeaders) },
      ],
    });
    produced++;
  };

  const loops = [
    ...(models.length === 0
      ? []
      : [
          consumeLoop(
            models.map((m) => topicName(ns, "model", m, "inputs")),
            options.groupId,
          ),
        ]),
    ...(pipelines.length === 0
      ? []
      : [
          consumeLoop(
            pipelines.map((p) => topicName(ns, "pipeline", p.name, "inputs")),
            `${options.groupId}.pipelines`,
          ),
        ]),
  ];

  /**
   * Consumes `loopTopics`, answering each message, and commits in offset order per partition;
   * after a broker or network failure it rejoins the group.
   */
  function consumeLoop(loopTopics: string[], groupId: string) {
    let closing = false;
    let restarts = 0;
    let consumer: Consumer | undefined;
    let pauseStream: (() => void) | undefined;
    const inFlight = new Set<Promise<void>>();
    const commits = new Set<Promise<void>>();

    const consume = async (): Promise<void> => {
      const current = createResilientConsumer(options.clientId, groupId, bootstrapBrokers);
      consumer = current;
      const stream = await current.consume({
        topics: loopTopics,
        autocommit: false,
        mode: "committed",
        fallbackMode: "earliest",
      });
      pauseStream = () => stream.pause();
      const partitions = new Map<string, { offset: bigint; done: boolean; message: Message }[]>();
      const commitDone = (key: string): void => {
        const queue = partitions.get(key) ?? [];
        let last: Message | undefined;
        while (queue[0]?.done === true) {
          last = (queue.shift() as { message: Message }).message;
        }
        // Committing the newest finished offset commits everything before it: order is kept per partition.
        if (last !== undefined && !stream.destroyed) {
          const commit = Promise.resolve(last.commit()).catch(() => {});
          commits.add(commit);
          void commit.finally(() => commits.delete(commit));
        }
      };
      await new Promise<void>((resolve) => {
        stream.on("data", (message: Message) => {
          if (closing) {
            // Taken after close began: left unanswered and uncommitted for the group's next
            // consumer. Later messages of its partition are left too, so no commit passes it.
            return;
          }
          const key = `${message.topic}/${message.partition}`;
          const entry = { offset: message.offset, done: false, message };
          let queue = partitions.get(key);
          if (queue === undefined) {
            queue = [];
            partitions.set(key, queue);
          }
          queue.push(entry);
          const work = answer(message).then(() => {
            entry.done = true;
            commitDone(key);
          });
          inFlight.add(work);
          void work.finally(() => {
            inFlight.delete(work);
            if (!closing && inFlight.size < options.concurrency && stream.isPaused()) {
              stream.resume();
            }
          });
          if (inFlight.size >= options.concurrency) {
            stream.pause();
          }
        });
        stream.once("error", () => resolve());
        stream.once("close", () => resolve());
      });
      await Promise.allSettled([...inFlight]);
      await current.close(true).catch(() => {});
    };

    const supervise = async (): Promise<void> => {
      while (!closing) {
        try {
          await consume();
        } catch {
          // The group join or the first fetch failed (broker down): retry below.
        }
        if (!closing) {
          restarts++;
          await new Promise((resolve) => setTimeout(resolve, restartDelayMs));
        }
      }
    };
    const stopped = supervise();
    return {
      restarts: () => restarts,
      async close(): Promise<void> {
        closing = true;
        // Stop taking messages, answer and commit the ones taken, and only then leave the group:
        // closing the consumer first drops the commits of the answers still in flight, and the
        // group's next consumer answers those messages a second time.
        pauseStream?.();
        await Promise.allSettled([...inFlight]);
        await Promise.allSettled([...commits]);
        await consumer?.close(true).catch(() => {});
        await stopped;
        await Promise.allSettled([...inFlight]);
      },
    };
  }

  return {
    topics,
    stats: () => ({ produced, failed, restarts: loops.reduce((n, l) => n + l.restarts(), 0) }),
    async close() {
      // Pipelines first: their steps still need the model consumer and the step caller.
      for (const loop of [...loops].reverse()) {
        await loop.close();
      }
      await stepCaller?.close();
      await producer.close();
    },
  };
}

function encodeResponse(response: InferResponse): Buffer {
  const bytes = toBinary(ModelInferResponseSchema, encodeGrpcInferResponse(response));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
