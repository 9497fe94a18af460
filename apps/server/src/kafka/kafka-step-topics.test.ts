import { Admin, type Message, Producer } from "@platformatic/kafka";
import type { InferRequest } from "@tensorwire/codec";
import { decodeGrpcInferRequestBinary, decodeGrpcInferResponseBinary } from "@tensorwire/codec/grpc";
import { tfsimpleModel } from "@tensorwire/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startBroker } from "../../test/kafka/broker.js";
import { createPipelineDataPlane, type PipelineDataPlane } from "../pipeline/create-pipeline-data-plane.js";
import { defaultPipelines } from "../pipeline/default-pipelines.js";
import { parsePipelines } from "../pipeline/load-pipelines.js";
import { createServerCore, type ServerCore } from "../server/create-server-core.js";
import { bytesOf, type Collector, collect, header, send } from "../testing/kafka-test-kit.js";
import { int32, valuesOf } from "../testing/pipeline-test-helpers.js";
import { startKafkaStepCaller } from "./kafka-step-caller.js";
import { topicName } from "./kafka-topics.js";
import { type KafkaGateway, startKafkaGateway } from "./start-kafka-gateway.js";

const brokenYaml = `apiVersion: mlops.seldon.io/v1alpha1
kind: Pipeline
metadata:
  name: broken
spec:
  steps:
    - name: missing
      model: nosuch
  output:
    steps:
      - missing
`;

const seq = Array.from({ length: 16 }, (_, i) => i + 1);
const modelIn = topicName("default", "model", "tfsimple", "inputs");
const modelOut = topicName("default", "model", "tfsimple", "outputs");
const pipelineIn = topicName("default", "pipeline", "tfsimples", "inputs");
const pipelineOut = topicName("default", "pipeline", "tfsimples", "outputs");

/** tfsimples' inputs: INPUT0 = seq + shift, INPUT1 = constant c (distinct, so a mixed-up answer shows). */
function tfsimplesRequest(shift: number, c: number): InferRequest {
  return {
    modelName: "tfsimples",
    inputs: [
      int32(
        "INPUT0",
        seq.map((x) => x + shift),
      ),
      int32(
        "INPUT1",
        seq.map(() => c),
      ),
    ],
  };
}

describe("pipelines over Kafka: per-step topics", () => {
  let broker: KafkaBroker;
  let core: ServerCore;
  let plane: PipelineDataPlane;
  let gateway: KafkaGateway;
  let producer: Producer;
  let records: Collector;

  beforeAll(async () => {
    broker = await startBroker();
    core = await createServerCore({ models: [{ name: "tfsimple", onnx: tfsimpleModel().onnx }] });
    plane = createPipelineDataPlane(core.dataPlane, [...defaultPipelines(), ...parsePipelines(brokenYaml)]);
    gateway = await startKafkaGateway(plane, { bootstrapBrokers: [broker.bootstrap] });
    producer = new Producer({ clientId: "test", bootstrapBrokers: [broker.bootstrap], retries: true });
    records = collect(broker.bootstrap, [
      modelIn,
      modelOut,
      pipelineOut,
      topicName("default", "pipeline", "broken", "outputs"),
      topicName("default", "model", "nosuch", "outputs"),
    ]);
  }, 120_000);

  afterAll(async () => {
    await records?.close();
    await producer?.close();
    await gateway?.close();
    await core?.close();
    await broker?.stop();
  }, 30_000);

  const on = (topic: string, key: string) =>
    records.messages.filter((m) => m.topic === topic && m.key?.toString() === key);

  it("should send each step through the model's topics and answer on the pipeline's", async () => {
    await send(producer, pipelineIn, "steps-1", bytesOf(tfsimplesRequest(0, 1)), {
      pipeline: "tfsimples",
      "x-trace": "t1",
    });
    await records.waitFor(() => on(pipelineOut, "steps-1").length === 1);

    const stepOf = (m: Message) => header(m, "pipeline-step");
    const inputs = on(modelIn, "steps-1");
    const outputs = on(modelOut, "steps-1");
    expect(inputs.map(stepOf)).toEqual(["tfsimple1", "tfsimple2"]);
    expect(outputs.map(stepOf)).toEqual(["tfsimple1", "tfsimple2"]);
    for (const m of [...inputs, ...outputs]) {
      expect(header(m, "pipeline")).toBe("tfsimples");
      expect(header(m, "x-pipeline-version")).toBe("1");
      expect(header(m, "x-request-id")).toBe("steps-1");
      expect(header(m, "x-trace")).toBe("t1");
      expect(header(m, "error")).toBeUndefined();
    }
    const [in1, in2] = inputs.map((m) => decodeGrpcInferRequestBinary(m.value));
    const [out1, out2] = outputs.map((m) => decodeGrpcInferResponseBinary(m.value));
    expect(in1?.modelName).toBe("tfsimple");
    expect(valuesOf(in1?.inputs, "INPUT0")).toEqual(seq);
    expect(valuesOf(in1?.inputs, "INPUT1")).toEqual(seq.map(() => 1));
    // Step 1: sum and difference.
    expect(valuesOf(out1?.outputs, "OUTPUT0")).toEqual(seq.map((x) => x + 1));
    expect(valuesOf(out1?.outputs, "OUTPUT1")).toEqual(seq.map((x) => x - 1));
    // Step 2 reads them through the tensorMap, and adds and subtracts them again.
    expect(valuesOf(in2?.inputs, "INPUT0")).toEqual(seq.map((x) => x + 1));
    expect(valuesOf(in2?.inputs, "INPUT1")).toEqual(seq.map((x) => x - 1));
    expect(valuesOf(out2?.outputs, "OUTPUT0")).toEqual(seq.map((x) => 2 * x));
    expect(valuesOf(out2?.outputs, "OUTPUT1")).toEqual(seq.map(() => 2));

    const [out] = on(pipelineOut, "steps-1") as [Message];
    expect(header(out, "x-pipeline-version")).toBe("1");
    expect(header(out, "pipeline")).toBe("tfsimples");
    expect(header(out, "x-trace")).toBe("t1");
    expect(header(out, "error")).toBeUndefined();
    const response = decodeGrpcInferResponseBinary(out.value);
    expect(response.id).toBe("steps-1");
    expect(valuesOf(response.outputs, "OUTPUT0")).toEqual(seq.map((x) => 2 * x));
    expect(valuesOf(response.outputs, "OUTPUT1")).toEqual(seq.map(() => 2));

    // Inspect still sees the request, step by step.
    const [trace] = plane.inspect("tfsimples", { requestId: "steps-1" });
    expect([...(trace?.steps.keys() ?? [])]).toEqual(["tfsimple1", "tfsimple2"]);
  });

  it("should give each of 50 concurrent pipeline requests its own answer, beside plain model requests", async () => {
    const n = 50;
    const ids = Array.from({ length: n }, (_, i) => `conc-${i}`);
    await Promise.all([
      producer.send({
        messages: ids.map((id, i) => ({
          topic: pipelineIn,
          key: Buffer.from(id),
          value: bytesOf(tfsimplesRequest(i, i)),
          headers: new Map([[Buffer.from("pipeline"), Buffer.from("tfsimples")]]),
        })),
      }),
      // Plain model requests under the same ids, on the topics the steps use.
      producer.send({
        messages: ids.map((id, i) => ({
          topic: modelIn,
          key: Buffer.from(id),
          value: bytesOf({ ...tfsimplesRequest(100 + i, 0), modelName: "tfsimple" }),
        })),
      }),
    ]);
    await records.waitFor(() => ids.every((id) => on(pipelineOut, id).length === 1), 30_000);
    ids.forEach((id, i) => {
      const [out] = on(pipelineOut, id) as [Message];
      expect(header(out, "error")).toBeUndefined();
      const response = decodeGrpcInferResponseBinary(out.value);
      expect(response.id).toBe(id);
      expect(valuesOf(response.outputs, "OUTPUT0")).toEqual(seq.map((x) => 2 * (x + i)));
      expect(valuesOf(response.outputs, "OUTPUT1")).toEqual(seq.map(() => 2 * i));
    });
    await records.waitFor(() => ids.every((id) => on(modelOut, id).length === 3));
    ids.forEach((id, i) => {
      const plain = on(modelOut, id).filter((m) => header(m, "pipeline-step") === undefined);
      expect(plain).toHaveLength(1);
      const response = decodeGrpcInferResponseBinary((plain[0] as Message).value);
      expect(valuesOf(response.outputs, "OUTPUT0")).toEqual(seq.map((x) => x + 100 + i));
    });
  }, 45_000);

  it("should answer with an error output when a step's model does not exist", async () => {
    const brokenOut = topicName("default", "pipeline", "broken", "outputs");
    await send(
      producer,
      topicName("default", "pipeline", "broken", "inputs"),
      "broken-1",
      bytesOf(tfsimplesRequest(0, 1)),
      { pipeline: "broken" },
    );
    await records.waitFor(() => on(brokenOut, "broken-1").length === 1);
    const [out] = on(brokenOut, "broken-1") as [Message];
    expect(header(out, "error-code")).toBe("not_found");
    expect(header(out, "error")).toMatch(/pipeline 'broken' step 'missing' \(model 'nosuch'\).*nosuch/);
    expect(header(out, "x-pipeline-version")).toBe("1");
    expect(decodeGrpcInferResponseBinary(out.value).outputs).toEqual([]);
    // The failed step's own answer is on its model's outputs topic, for inspect.
    const [step] = on(topicName("default", "model", "nosuch", "outputs"), "broken-1") as [Message];
    expect([header(step, "pipeline-step"), header(step, "error-code")]).toEqual(["missing", "not_found"]);
  });

  it("should answer with an error output when a step rejects its input", async () => {
    const request: InferRequest = { modelName: "tfsimples", inputs: [int32("INPUT0", seq)] };
    await send(producer, pipelineIn, "bad-input-1", bytesOf(request), { pipeline: "tfsimples" });
    await records.waitFor(() => on(pipelineOut, "bad-input-1").length === 1);
    const [out] = on(pipelineOut, "bad-input-1") as [Message];
    expect(header(out, "error-code")).toBe("invalid_argument");
    expect(header(out, "error")).toContain("step 'tfsimple1'");
  });

  it("should answer every pipeline request sent across a broker restart, without errors", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `restart-${i}`);
    const batch = (from: number, to: number) =>
      producer.send({
        messages: ids.slice(from, to).map((id, i) => ({
          topic: pipelineIn,
          key: Buffer.from(id),
          value: bytesOf(tfsimplesRequest(from + i, 1)),
          headers: new Map([[Buffer.from("pipeline"), Buffer.from("tfsimples")]]),
        })),
      });
    await batch(0, 20);
    await broker.restart();
    await batch(20, 40);
    // A collector started after the restart, so the answers are read back from what the broker kept.
    const after = collect(broker.bootstrap, [pipelineOut]);
    try {
      const ours = () => after.messages.filter((m) => ids.includes(m.key?.toString() as string));
      await after.waitFor(() => new Set(ours().map((m) => m.key?.toString())).size === ids.length, 60_000);
      for (const m of ours()) {
        expect(header(m, "error")).toBeUndefined();
        const i = ids.indexOf(m.key?.toString() as string);
        expect(valuesOf(decodeGrpcInferResponseBinary(m.value).outputs, "OUTPUT0")).toEqual(
          seq.map((x) => 2 * (x + i)),
        );
      }
    } finally {
      await after.close();
    }
  }, 90_000);

  it("should fail a step that nobody answers with deadline_exceeded", async () => {
    const admin = new Admin({ clientId: "test", bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({
      topics: ["inputs", "outputs"].map((side) => `seldon.default.model.orphan.${side}`),
      partitions: 1,
      replicas: 1,
    });
    await admin.close();
    const caller = await startKafkaStepCaller({
      bootstrapBrokers: [broker.bootstrap],
      namespace: "default",
      models: ["orphan"],
      clientId: "test",
      groupId: "test.steps",
      timeoutMs: 300,
    });
    try {
      const step = defaultPipelines()[0]?.steps[0];
      const call = caller.forRequest({ kind: "pipeline", name: "p", version: "1" }, new Map())(
        { ...(step as NonNullable<typeof step>), model: "orphan" },
        tfsimplesRequest(0, 0),
        { requestId: "orphan-1", protocol: "kafka" },
      );
      await expect(call).rejects.toMatchObject({
        code: "deadline_exceeded",
        message: expect.stringContaining("seldon.default.model.orphan.outputs"),
      });
      expect(caller.pending()).toBe(0);
    } finally {
      await caller.close();
    }
  });
});
