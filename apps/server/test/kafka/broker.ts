import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * A single-node Apache Kafka (KRaft: broker and controller in one JVM) for the tests, run from the
 * Maven Central jars that fetch-kafka.sh copies into <repo>/.cache/kafka. Loopback only, on free
 * ports, with its data in a temporary directory that `stop()` deletes.
 */
export interface KafkaBroker {
  /** `127.0.0.1:<port>`, the PLAINTEXT listener. */
  readonly bootstrap: string;
  /** Kills the JVM and starts it again on the same ports and data (a crash and a recovery). */
  restart(): Promise<void>;
  /** Kills the JVM and deletes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface BrokerOptions {
  /** Milliseconds to wait for "Kafka Server started". Default 90 s: a cold JVM on 2 busy cores. */
  readonly startTimeoutMs: number;
}

const here = fileURLToPath(new URL(".", import.meta.url));
const run = promisify(execFile);

// A small heap and the serial collector: the tests move megabytes, and startup time matters more
// than throughput on a 2-core CI machine.
const jvmOptions = ["-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true"];

export async function startBroker(options: Partial<BrokerOptions> = {}): Promise<KafkaBroker> {
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const { stdout } = await run("bash", [join(here, "fetch-kafka.sh")]);
  const classpath = `${stdout.trim()}/*`;
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), "tensorwire-kafka-"));
  const config = join(dataDir, "server.properties");
  await writeFile(config, serverProperties(port, controllerPort, join(dataDir, "logs")));
  const java = (main: string, args: string[]): string[] => [
    ...jvmOptions,
    `-Dlog4j2.configurationFile=${join(here, "log4j2.properties")}`,
    "-cp",
    classpath,
    main,
    ...args,
  ];
  // `--cluster-id=<id>` in one word: an id may start with "-", which the tool would read as a flag.
  await run("java", java("kafka.tools.StorageTool", ["format", `--cluster-id=${clusterId()}`, "-c", config]));

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const proc = spawn("java", java("kafka.Kafka", [config]), { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill("SIGKILL");
        reject(new Error(`Kafka did not start in ${startTimeoutMs} ms:\n${output.slice(-4000)}`));
      }, startTimeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes("Kafka Server started")) {
          clearTimeout(timer);
          proc.stdout.off("data", onData);
          proc.stdout.resume();
          resolve();
        }
      };
      proc.stdout.on("data", onData);
      proc.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`Kafka exited with ${code} before starting:\n${output.slice(-4000)}`));
      });
    });
    await waitForPort(port);
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
  };

  try {
    await launch();
  } catch (err) {
    await kill();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${logDir}`,
    "num.partitions=1",
    "auto.create.topics.enable=true",
    // One node: internal topics cannot have more replicas than brokers.
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    // The default 3 s delay before the first rebalance only helps groups that grow; tests have one member.
    "group.initial.rebalance.delay.ms=0",
    // After restart() the controller keeps the killed broker's registration until its session
    // expires (default 9 s); short sessions make a restart take seconds, not tens of seconds.
    "broker.heartbeat.interval.ms=500",
    "broker.session.timeout.ms=2000",
    "",
  ].join("\n");
}

/** A Kafka cluster id: 16 random bytes, base64url without padding (Kafka's `Uuid.toString`). */
function clusterId(): string {
  return randomBytes(16).toString("base64url");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Kafka's port ${port} did not open`);
}
