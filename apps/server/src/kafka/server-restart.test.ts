import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Admin, type Message, Producer } from "@platformatic/kafka";
import { createTensor } from "@tensorwire/codec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startBroker } from "../../test/kafka/broker.js";
import { bytesOf, type Collector, collect } from "../testing/kafka-test-kit.js";
import { topicName } from "./kafka-topics.js";

// The server, not the broker, stops mid-stream: `tensorwire serve` as a child process, killed with
// SIGTERM (a graceful stop: every message taken is answered and its offset committed before the
// consumer leaves, so nothing is lost or repeated) or SIGKILL (at least once: what was answered
// but not yet committed is answered again by the next server), then started again on the same
// consumer group while a producer keeps sending.

const bin = fileURLToPath(new URL("../../bin/tensorwire.js", import.meta.url));
const node24 = fileURLToPath(new URL("../../../../node_modules/.bin/node", import.meta.url));
const built = existsSync(fileURLToPath(new URL("../../dist/server/cli.js", import.meta.url)));

const messages = 400;
// The gateway's default window of messages in flight: at most this many are answered and not yet
// committed when the process dies, so at most this many are answered twice.
const concurrency = 32;

interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | string>;
}

async function serveKafka(repo: string, bootstrap: string): Promise<Child> {
  const child = spawn(
    node24,
    [
      bin,
      "serve",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--model-repository",
      repo,
      "--kafka-brokers",
      bootstrap,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  let out = "";
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("listening on")) {
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`tensorwire serve exited with ${code}: ${out}`)));
  });
  return { process: child, exited };
}

describe.skipIf(!built || !existsSync(node24))("Kafka: the server restarts mid-stream", () => {
  let broker: KafkaBroker;
  let repo: string;
  let producer: Producer;
  let admin: Admin;
  const children: Child[] = [];

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), "tensorwire-kafka-restart-"));
    // One echo model per signal, so each test has topics of its own; 20 ms per call keeps messages
    // in flight when the signal lands.
    for (const name of ["echo_sigterm", "echo_sigkill"]) {
      await mkdir(join(repo, name), { recursive: true });
      await writeFile(
        join(repo, name, "config.yaml"),
        "runtime: echo\ninputs: [{name: INPUT0, datatype: FP32, shape: [-1, 1]}]\nlatency: {distribution: fixed, ms: 20}\n",
      );
    }
    broker = await startBroker();
    producer = new Producer({ clientId: "restart-test", bootstrapBrokers: [broker.bootstrap], retries: 5 });
    admin = new Admin({ clientId: "restart-test", bootstrapBrokers: [broker.bootstrap] });
  }, 180_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill("SIGKILL");
      }
      await child.exited;
    }
    await producer?.close();
    await admin?.close();
    await broker?.stop();
    await rm(repo, { recursive: true, force: true });
  }, 60_000);

  /** The outputs topic's end offset: how many outputs the servers produced. */
  const endOffset = async (topic: string): Promise<number> => {
    const [listed] = await admin.listOffsets({
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    return Number(listed?.partitions[0]?.offset ?? 0n);
  };

  const run = async (signal: "SIGTERM" | "SIGKILL", model: string) => {
    const input = topicName("default", "model", model, "inputs");
    const output = topicName("default", "model", model, "outputs");
    let server = await serveKafka(repo, broker.bootstrap);
    children.push(server);
    const outputs: Collector = collect(broker.bootstrap, [output], { defaultTimeoutMs: 120_000 });
    const keys = (all: Message[]) => new Set(all.map((m) => m.key?.toString()));
    try {
      const value = bytesOf({
        modelName: model,
        inputs: [createTensor({ name: "INPUT0", datatype: "FP32", shape: [1, 1], data: Float32Array.of(1) })],
      });
      // Batches of 10 every 20 ms: a steady stream, sent across the restart.
      const sending = (async () => {
        for (let i = 0; i < messages; i += 10) {
          await producer.send({
            messages: Array.from({ length: 10 }, (_, j) => ({
              topic: input,
              key: Buffer.from(`m${i + j}`),
              value,
            })),
          });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await outputs.waitFor((all) => all.length >= messages / 4);
      server.process.kill(signal);
      const code = await server.exited;
      expect(code).toBe(signal === "SIGTERM" ? 0 : "SIGKILL");
      server = await serveKafka(repo, broker.bootstrap);
      children.push(server);
      await sending;
      await outputs.waitFor((all) => keys(all).size === messages);
      // A graceful stop answers and commits what the second server took; then every output is on
      // the topic and the collector is read up to its end.
      server.process.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      const produced = await endOffset(output);
      await outputs.waitFor((all) => all.length === produced);
      const seen = keys(outputs.messages);
      const missing = Array.from({ length: messages }, (_, i) => `m${i}`).filter((k) => !seen.has(k));
      const duplicates = outputs.messages.length - seen.size;
      console.log(
        `${signal}: ${messages} inputs, ${outputs.messages.length} outputs, ${duplicates} duplicates`,
      );
      expect(missing).toEqual([]);
      expect(outputs.messages.filter(hasError)).toEqual([]);
      return duplicates;
    } finally {
      await outputs.close();
    }
  };

  it("SIGTERM: every input answered exactly once", async () => {
    expect(await run("SIGTERM", "echo_sigterm")).toBe(0);
  }, 300_000);

  it(`SIGKILL: every input answered, at most ${concurrency} of them twice`, async () => {
    expect(await run("SIGKILL", "echo_sigkill")).toBeLessThanOrEqual(concurrency);
  }, 300_000);
});

function hasError(m: Message): boolean {
  return [...m.headers.keys()].some((k) => k.toString() === "error");
}
