// Asynchronous inference over Kafka (Seldon's topics) against the broker's own round trip, both
// measured in this run on the same broker: produce N messages, consume until all N are back.
// A real Apache Kafka (KRaft, Maven Central jars, Java 17) on loopback, stopped at the end.
// Run after a build: `node bench/kafka.ts [--n 2000]`.
import { parseArgs } from "node:util";
import { toBinary } from "@bufbuild/protobuf";
import { Consumer, type Message, Producer } from "@platformatic/kafka";
import { createTensor } from "@tensorwire/codec";
import { encodeGrpcInferRequest } from "@tensorwire/codec/grpc";
import { ModelInferRequestSchema } from "@tensorwire/proto/oip";
import { startServer } from "@tensorwire/server";
import { startBroker } from "../apps/server/test/kafka/broker.ts";

const { values } = parseArgs({ options: { n: { type: "string" } } });
const n = Number(values.n ?? 2000);
// Batches the size the gateway's test uses: a producer sends 200 messages per request.
const batch = 200;

const seq = Int32Array.from({ length: 16 }, (_, i) => i + 1);
const input = (name: string) => createTensor({ name, datatype: "INT32", shape: [1, 16], data: seq });
const requestBytes = Buffer.from(
  toBinary(
    ModelInferRequestSchema,
    encodeGrpcInferRequest({ modelName: "tfsimple", inputs: [input("INPUT0"), input("INPUT1")] }),
  ),
);

/** Requests per second: produce `n` keyed messages to `inTopic`, wait for `n` distinct keys on `outTopic`. */
async function roundTrip(bootstrap: string, inTopic: string, outTopic: string): Promise<number> {
  const producer = new Producer({
    clientId: "bench-producer",
    bootstrapBrokers: [bootstrap],
    autocreateTopics: true,
  });
  const consumer = new Consumer({
    clientId: "bench-consumer",
    groupId: `bench-${Math.random()}`,
    bootstrapBrokers: [bootstrap],
  });
  const keys = Array.from({ length: n }, (_, i) => `${inTopic}-${i}`);
  // Create the output topic and join it before the clock starts.
  await producer.send({
    messages: [{ topic: outTopic, key: Buffer.from("warm-up"), value: Buffer.alloc(0) }],
  });
  const stream = await consumer.consume({ topics: [outTopic], mode: "latest", autocommit: false });
  const seen = new Set<string>();
  const done = new Promise<void>((resolve) => {
    stream.on("data", (m: Message) => {
      const key = m.key?.toString();
      if (key?.startsWith(`${inTopic}-`)) {
        seen.add(key);
        if (seen.size === n) resolve();
      }
    });
  });
  const start = performance.now();
  for (let i = 0; i < n; i += batch) {
    await producer.send({
      messages: keys
        .slice(i, i + batch)
        .map((key) => ({ topic: inTopic, key: Buffer.from(key), value: requestBytes })),
    });
  }
  await done;
  const rate = n / ((performance.now() - start) / 1000);
  await consumer.close(true);
  await producer.close();
  return rate;
}

process.stderr.write("kafka: starting a broker\n");
const broker = await startBroker();
try {
  // The baseline: the same bytes through the broker and back with nothing in between, echoed by a
  // consumer that produces each message to the output topic (what the gateway does, minus inference).
  const echoIn = "bench.echo.inputs";
  const echoOut = "bench.echo.outputs";
  const echoProducer = new Producer({
    clientId: "bench-echo",
    bootstrapBrokers: [broker.bootstrap],
    autocreateTopics: true,
  });
  const echoConsumer = new Consumer({
    clientId: "bench-echo",
    groupId: "bench-echo",
    bootstrapBrokers: [broker.bootstrap],
  });
  await echoProducer.send({
    messages: [{ topic: echoIn, key: Buffer.from("warm-up"), value: Buffer.alloc(0) }],
  });
  const echoStream = await echoConsumer.consume({ topics: [echoIn], mode: "latest", autocommit: true });
  echoStream.on("data", (m: Message) => {
    void echoProducer.send({ messages: [{ topic: echoOut, key: m.key, value: m.value }] });
  });
  process.stderr.write("kafka: broker round trip (echo consumer)\n");
  const echo = await roundTrip(broker.bootstrap, echoIn, echoOut);
  await echoConsumer.close(true);
  await echoProducer.close();

  process.stderr.write("kafka: tensorwire gateway, tfsimple\n");
  const server = await startServer({
    port: 0,
    logLevel: "silent",
    kafka: { bootstrapBrokers: [broker.bootstrap] },
  });
  const inference = await roundTrip(
    broker.bootstrap,
    "seldon.default.model.tfsimple.inputs",
    "seldon.default.model.tfsimple.outputs",
  );
  await server.close();

  console.log(`| case | req/s |\n|---|---|`);
  console.log(`| broker round trip, echo consumer (baseline) | ${echo.toFixed(0)} |`);
  console.log(`| async inference, tfsimple over seldon.default.model.tfsimple.* | ${inference.toFixed(0)} |`);
  console.log(
    `\nasync inference vs broker round trip: ${(inference / echo).toFixed(2)}× (${n} messages, batches of ${batch})`,
  );
} finally {
  await broker.stop();
}
