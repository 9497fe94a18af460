import { type AddressInfo, createServer } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { type Message, Producer } from "@platformatic/kafka";
import { decodeGrpcInferResponseBinary } from "@tensorwire/codec/grpc";
import { ModelInferRequestSchema } from "@tensorwire/proto/oip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startBroker } from "../../test/kafka/broker.js";
import { decodeInferenceLog, type InferenceLogRecord } from "../inference-log/inference-log-schema.js";
import { type RunningServer, startServer } from "../server/start-server.js";
import { type Collector, collect, header, send } from "../testing/kafka-test-kit.js";
import { valuesOf } from "../testing/pipeline-test-helpers.js";
import { topicName } from "./kafka-topics.js";

const seq = Array.from({ length: 16 }, (_, i) => i + 1);
const tfsimplesBody = {
  inputs: [
    { name: "INPUT0", data: seq, datatype: "INT32", shape: [1, 16] },
    { name: "INPUT1", data: seq, datatype: "INT32", shape: [1, 16] },
  ],
};
// A unique topic, so the count of records is the count of this file's requests and nothing else's.
const logTopic = `tensorwire.inferencelog.test-${process.pid}-${Date.now()}`;
const modelIn = topicName("default", "model", "tfsimple", "inputs");
const modelOut = topicName("default", "model", "tfsimple", "outputs");

const keyOf = (m: Message) => m.key?.toString();

/** The socket and server handles of this process, counted by kind. */
function networkHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind.startsWith("TCP")) {
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * The network handles once closed sockets have left the list: Node drops a handle only after its
 * close callback, and a connect the Kafka client abandoned on close ends a moment later.
 */
async function networkHandlesSettled(timeoutMs = 3000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  while (networkHandles().size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return networkHandles();
}

describe("startServer({ kafka }) without a broker", () => {
  it("should reject and leave nothing listening", async () => {
    // A port that was free a moment ago: connections to it are refused at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(
      startServer({ port: 0, logLevel: "silent", kafka: { bootstrapBrokers: [`127.0.0.1:${port}`] } }),
    ).rejects.toThrow();
    expect(await networkHandlesSettled()).toEqual(new Map());
  });
});

describe("startServer({ kafka, inferenceLog })", () => {
  let broker: KafkaBroker | undefined;
  let server: RunningServer | undefined;
  let serverClosed = false;
  let producer: Producer | undefined;
  let outputs: Collector | undefined;
  let logs: Collector | undefined;

  beforeAll(async () => {
    broker = await startBroker();
    server = await startServer({
      port: 0,
      logLevel: "silent",
      kafka: { bootstrapBrokers: [broker.bootstrap] },
      inferenceLog: { bootstrapBrokers: [broker.bootstrap], topic: logTopic },
    });
    producer = new Producer({ clientId: "test", bootstrapBrokers: [broker.bootstrap] });
    outputs = collect(broker.bootstrap, [modelOut]);
    logs = collect(broker.bootstrap, [logTopic]);
  }, 150_000);

  afterAll(async () => {
    await outputs?.close().catch(() => {});
    await logs?.close().catch(() => {});
    await producer?.close().catch(() => {});
    if (!serverClosed) {
      await server?.close();
    }
    await broker?.stop();
  }, 60_000);

  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${server?.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const logged = (id: string) =>
    (logs?.messages ?? []).filter((m) => keyOf(m) === id).map((m) => decodeInferenceLog(m.value));

  it("should log each REST inference once, a pipeline as one record and a failure with its status", async () => {
    const model = await post("/v2/models/tfsimple/infer", tfsimplesBody, { "x-request-id": "rest-model" });
    expect(model.status).toBe(200);
    const pipeline = await post("/v2/models/tfsimples/infer", tfsimplesBody, {
      "seldon-model": "tfsimples.pipeline",
      "x-request-id": "rest-pipeline",
    });
    expect(pipeline.status).toBe(200);
    expect(((await pipeline.json()) as { outputs: { data: number[] }[] }).outputs[0]?.data).toEqual(
      seq.map((x) => 2 * x),
    );
    // Well-formed JSON that the model rejects, so the failure reaches the data plane and is logged.
    const bad = await post(
      "/v2/models/tfsimple/infer",
      { inputs: [{ name: "INPUT0", data: [1, 2], datatype: "INT32", shape: [1, 2] }] },
      { "x-request-id": "rest-bad" },
    );
    expect(bad.status).toBe(400);

    const ids = ["rest-model", "rest-pipeline", "rest-bad"];
    await logs?.waitFor((all) => ids.every((id) => all.some((m) => keyOf(m) === id)));
    // Pipeline steps run under the pipeline's request id: a logged step would be a second record here.
    for (const id of ids) {
      expect(logged(id), id).toHaveLength(1);
    }
    const [modelLog] = logged("rest-model") as [InferenceLogRecord];
    expect(modelLog).toMatchObject({ modelName: "tfsimple", modelVersion: 1, responseHttpCode: 200 });
    expect(JSON.parse(modelLog.inferenceRequest).inputs[0].data).toEqual(seq);
    expect(JSON.parse(modelLog.inferenceResponse).outputs[0]).toMatchObject({
      name: "OUTPUT0",
      data: seq.map((x) => 2 * x),
    });
    const [pipelineLog] = logged("rest-pipeline") as [InferenceLogRecord];
    expect(pipelineLog).toMatchObject({ modelName: "tfsimples.pipeline", responseHttpCode: 200 });
    expect(JSON.parse(pipelineLog.inferenceRequest).inputs).toHaveLength(2);
    expect(JSON.parse(pipelineLog.inferenceResponse).outputs[1].data).toEqual(seq.map((x) => 2 * x));
    const [badLog] = logged("rest-bad") as [InferenceLogRecord];
    expect(badLog).toMatchObject({ modelName: "tfsimple", responseHttpCode: 400 });
    expect(JSON.parse(badLog.inferenceRequest).inputs[0].data).toEqual([1, 2]);
    expect(JSON.parse(badLog.inferenceResponse).error).toEqual(expect.any(String));
  });

  it("should answer a Kafka request on the model's outputs topic and log it", async () => {
    const tensor = (name: string) => ({
      name,
      datatype: "INT32",
      shape: [1n, 16n],
      contents: { intContents: seq },
    });
    const request = create(ModelInferRequestSchema, {
      modelName: "tfsimple",
      inputs: [tensor("INPUT0"), tensor("INPUT1")],
    });
    await send(
      producer as Producer,
      modelIn,
      "kafka-1",
      Buffer.from(toBinary(ModelInferRequestSchema, request)),
      {
        "x-foo": "bar",
      },
    );
    await outputs?.waitFor((all) => all.some((m) => keyOf(m) === "kafka-1"));
    const out = outputs?.messages.find((m) => keyOf(m) === "kafka-1") as Message;
    expect(header(out, "x-foo")).toBe("bar");
    expect(header(out, "error")).toBeUndefined();
    const response = decodeGrpcInferResponseBinary(out.value);
    expect(response.id).toBe("kafka-1");
    expect(valuesOf(response.outputs, "OUTPUT0")).toEqual(seq.map((x) => 2 * x));

    await logs?.waitFor((all) => all.some((m) => keyOf(m) === "kafka-1"));
    expect(logged("kafka-1")).toHaveLength(1);
    expect(logged("kafka-1")[0]).toMatchObject({ modelName: "tfsimple", responseHttpCode: 200 });
  });

  it("should stop the gateway and the log sink on close", async () => {
    await outputs?.close();
    await logs?.close();
    await producer?.close();
    outputs = logs = producer = undefined;
    // Only the server is left holding sockets: its listener, the gateway's and the log sink's broker connections.
    expect(networkHandles().get("TCPSocketWrap")).toBeGreaterThan(0);
    serverClosed = true;
    await server?.close();
    expect(await networkHandlesSettled()).toEqual(new Map());

    // The logger flushed on close: a fresh read of the topic holds each request exactly once.
    logs = collect((broker as KafkaBroker).bootstrap, [logTopic]);
    await logs.waitFor((all) => all.length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(logs.messages.map(keyOf).sort()).toEqual(["kafka-1", "rest-bad", "rest-model", "rest-pipeline"]);
  });
});
