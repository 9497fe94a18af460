import type { Registry } from "prom-client";
import type { DataPlane } from "../core/data-plane.js";
import { createInferenceLogDataPlane } from "../inference-log/create-inference-log-data-plane.js";
import type { KafkaGateway } from "../kafka/start-kafka-gateway.js";
import {
  combineObservers,
  createServerLogger,
  type LoggingOptions,
  requestLogObserver,
} from "../logging/server-logger.js";
import { createServerMetrics } from "../metrics/server-metrics.js";
import { createPipelineDataPlane } from "../pipeline/create-pipeline-data-plane.js";
import { defaultPipelines } from "../pipeline/default-pipelines.js";
import type { PipelineSpec } from "../pipeline/pipeline-spec.js";
import { createRequestHandlers, type ServedRoutes, type TransportOptions } from "./create-request-handler.js";
import { createServerCore, makeServerCoreOptions, type ServerCoreOptions } from "./create-server-core.js";
import { type ListenOptions, listen } from "./listen.js";

/**
 * Everything `startServer` takes: the core's options (models, repository, control mode, ...), the
 * transports' (body limit) and the listener's (port, host, TLS). Every field is optional.
 */
export interface StartServerOptions
  extends Omit<ServerCoreOptions, "observer">,
    TransportOptions,
    Omit<ListenOptions, "streamHandler">,
    LoggingOptions {
  /**
   * Serve plain gRPC calls of the hot RPCs (ModelInfer, ServerLive, ServerReady, ModelReady) on a
   * raw HTTP/2 stream handler in front of connect-node, with identical bytes on the wire (the same
   * credential check included) and ~4× the throughput. Default true; false sends every call
   * through connect-node.
   */
  readonly fastGrpc: boolean;
  /**
   * Import the RPC side (Connect, protobuf, every dialect's services, reflection) at start rather
   * than at the first RPC, which otherwise waits ~100 ms for it. Default false: an in-process
   * server starts faster, and a REST-only one never loads it; `tensorwire serve` sets it.
   */
  readonly preloadRpc: boolean;
  /**
   * On close: how long in-flight requests may take before their connections are cut, in
   * milliseconds. Default 10000. Readiness turns false and new requests are refused at once.
   */
  readonly drainTimeoutMs: number;
  /**
   * A second port with the same handler, so every protocol, for setups that want gRPC on a port of
   * its own (KServe's and Triton's convention is 9000); 0 picks a free one. Bound on `host` with
   * `tls` like the first, and drained and closed with it. Default: none, gRPC shares `port`.
   */
  readonly grpcPort: number | undefined;
  /**
   * Seldon v2 pipelines, served at `seldon-model: <name>.pipeline` and `/v2/pipelines/<name>/...`.
   * Default: Seldon's `tfsimples` when the default zoo is served, else none.
   */
  readonly pipelines: readonly PipelineSpec[];
  /** Requests kept per pipeline for `inspect`. Default 100. */
  readonly inspectCapacity: number;
  /**
   * Asynchronous inference over Kafka: consume `seldon.<namespace>.<model|pipeline>.<name>.inputs`,
   * produce to `...outputs`. Default off.
   */
  readonly kafka:
    | {
        /** The Kafka brokers to connect to, `host:port` each. */
        readonly bootstrapBrokers: readonly string[];
        /** The Seldon namespace in the topic names. Default "default". */
        readonly namespace?: string;
      }
    | undefined;
  /**
   * Log every inference, by any protocol, to a Kafka topic as the Avro record `inferencelog`
   * (apps/server/schemas/inferencelog.avsc). Default off.
   */
  readonly inferenceLog:
    | {
        /** The Kafka brokers to connect to, `host:port` each. */
        readonly bootstrapBrokers: readonly string[];
        /** The topic. Default "tensorwire.inferencelog". */
        readonly topic?: string;
        /** Records held while Kafka is slow or away; beyond it records are dropped and counted. Default 10000. */
        readonly queueSize?: number;
      }
    | undefined;
}

/** A server {@link startServer} started: where it listens, its data plane and how to stop it. */
export interface RunningServer {
  /** Base URL for REST and for Connect/gRPC/gRPC-Web transports: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * Base URL for gRPC clients: the second listener's (`grpcPort` was given), else `url`, whose port
   * serves gRPC too. Given separately for clients that take a URL per protocol.
   */
  readonly grpcUrl: string;
  /** The port of `grpcUrl`: the second listener's bound port, else `port`. */
  readonly grpcPort: number;
  /** `host:port`, the form tritonclient and grpcurl take. */
  readonly address: string;
  /** The bound port (the real one when port 0 was asked for). */
  readonly port: number;
  /** The data plane behind every protocol, for tests that want to look past the wire. */
  readonly dataPlane: DataPlane;
  /**
   * The Prometheus registry `/metrics` serves, built (with prom-client loaded) at its first read or
   * the first scrape; inferences before then are counted all the same.
   */
  readonly metrics: Registry;
  /**
   * Every REST route (a sample path per path form) and every RPC the server serves, each with
   * whether it answers without credentials (health probes per `publicHealth`, `/metrics` per
   * `metricsPublic`) or needs them when `authToken`/`apiKey` is set. Imports the RPC side first.
   */
  routes(): Promise<ServedRoutes>;
  /** Stops accepting connections, lets in-flight requests finish, then unloads the models. */
  close(): Promise<void>;
}

/**
 * Starts the server in-process: REST, gRPC, Connect and gRPC-Web on one port (and on `grpcPort`
 * too, when given). Defaults suit tests: port 0 (a free one) on 127.0.0.1; the default model zoo
 * unless `models` or `repository` is given.
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll, expect, it } from "vitest";
 * import { type RunningServer, startServer } from "@tensorwire/server";
 *
 * let server: RunningServer;
 * beforeAll(async () => {
 *   server = await startServer();
 * });
 * afterAll(() => server.close());
 *
 * it("should be live", async () => {
 *   const res = await fetch(`${server.url}/v2/health/live`);
 *   expect(res.status).toBe(200);
 * });
 * ```
 */
export async function startServer(options: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  const logger = createServerLogger(options);
  let modelPlane: DataPlane | undefined;
  const metrics = createServerMetrics({
    models: () => modelPlane?.repositoryIndex({ readyOnly: false }) ?? [],
  });
  const core = await createServerCore({
    ...options,
    observer: combineObservers(metrics.observer, requestLogObserver(logger)),
  });
  modelPlane = core.dataPlane;
  const zoo = makeServerCoreOptions(options).zoo;
  const pipelinePlane = createPipelineDataPlane(
    core.dataPlane,
    options.pipelines ?? (zoo ? defaultPipelines() : []),
    options.inspectCapacity === undefined ? {} : { inspectCapacity: options.inspectCapacity },
  );
  // Kafka's client and the Avro schema load only when asked for: together they are most of the
  // idle server's heap, and every major GC marks all of it.
  const { logSink, inferenceLogger } =
    options.inferenceLog === undefined ? {} : await startInferenceLog(options.inferenceLog);
  // Logging wraps the pipelines, so a pipeline call is logged once and its steps are not.
  const logged =
    inferenceLogger === undefined
      ? pipelinePlane
      : createInferenceLogDataPlane(pipelinePlane, inferenceLogger);
  let draining = false;
  // Not ready while draining, so load balancers stop sending before the port closes.
  const dataPlane: DataPlane = {
    ...logged,
    serverReady: () => !draining && logged.serverReady(),
  };
  let gateway: KafkaGateway | undefined;
  let closeListener: (() => Promise<void>) | undefined;
  const closeExtras = async () => {
    await gateway?.close();
    await inferenceLogger?.close();
    await logSink?.close();
  };
  try {
    const { handler, fastPath, prepare, routes } = createRequestHandlers(dataPlane, options, {
      pipelines: pipelinePlane,
      endpoints: [metrics.endpoint],
      onServerFault: (rpc, err) => logger.error({ rpc, err }, `rpc ${rpc} failed`),
    });
    await prepare({ rpc: options.preloadRpc === true });
    const listenOn = (port: number) =>
      listen(handler, {
        port,
        host: options.host ?? "127.0.0.1",
        tls: options.tls,
        streamHandler: options.fastGrpc === false ? undefined : fastPath,
        ...connectionOptions(options),
      });
    const listener = await listenOn(options.port ?? 0);
    // What binds after the first port (the second port, the gateway) may fail: the listeners must
    // not outlive the error.
    closeListener = () => listener.close(0);
    const grpcListener = options.grpcPort === undefined ? undefined : await listenOn(options.grpcPort);
    closeListener = async () => {
      await Promise.all([listener.close(0), grpcListener?.close(0)]);
    };
    if (options.kafka !== undefined) {
      // Kafka requests are logged like any other; pipeline steps travel over the models' topics.
      const { startKafkaGateway } = await import("../kafka/start-kafka-gateway.js");
      gateway = await startKafkaGateway(
        { ...pipelinePlane, infer: dataPlane.infer },
        {
          bootstrapBrokers: options.kafka.bootstrapBrokers,
          ...(options.kafka.namespace === undefined ? {} : { namespace: options.kafka.namespace }),
        },
      );
    }
    const scheme = listener.secure ? "https" : "http";
    const address = `${urlHost(listener.host)}:${listener.port}`;
    const url = `${scheme}://${address}`;
    const grpcPort = grpcListener?.port ?? listener.port;
    return {
      url,
      grpcUrl: `${scheme}://${urlHost(listener.host)}:${grpcPort}`,
      grpcPort,
      address,
      port: listener.port,
      dataPlane,
      get metrics() {
        return metrics.registry;
      },
      routes,
      async close() {
        draining = true;
        const graceMs = options.drainTimeoutMs ?? 10_000;
        await Promise.all([listener.close(graceMs), grpcListener?.close(graceMs)]);
        await closeExtras();
        await core.close();
        logger.flush();
      },
    };
  } catch (err) {
    await closeListener?.();
    await closeExtras();
    await core.close();
    throw err;
  }
}

async function startInferenceLog(config: NonNullable<StartServerOptions["inferenceLog"]>) {
  const [{ createKafkaLogSink }, { createInferenceLogger }] = await Promise.all([
    import("../kafka/create-kafka-log-sink.js"),
    import("../inference-log/create-inference-logger.js"),
  ]);
  const logSink = createKafkaLogSink({
    bootstrapBrokers: config.bootstrapBrokers,
    ...(config.topic === undefined ? {} : { topic: config.topic }),
  });
  const inferenceLogger = createInferenceLogger(
    logSink.sink,
    config.queueSize === undefined ? {} : { queueSize: config.queueSize },
  );
  return { logSink, inferenceLogger };
}

/** The connection limits and timeouts `options` sets, for `listen`. */
function connectionOptions(options: Partial<StartServerOptions>): Partial<ListenOptions> {
  const names = [
    "maxConcurrentStreams",
    "maxHeaderSize",
    "idleTimeoutMs",
    "handshakeTimeoutMs",
    "headersTimeoutMs",
    "requestTimeoutMs",
  ] as const;
  return Object.fromEntries(names.flatMap((n) => (options[n] === undefined ? [] : [[n, options[n]]])));
}

/** The host to put in a URL: a wildcard bind is reached on loopback; IPv6 needs brackets. */
export function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") {
    return "127.0.0.1";
  }
  if (host === "::") {
    return "[::1]";
  }
  return host.includes(":") ? `[${host}]` : host;
}
