import * as http from "node:http";
import { createServer, type Server } from "node:net";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GRPCInferenceService } from "@tensorwire/proto/oip";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server.js";

const echo = {
  runtime: "echo",
  inputs: [{ name: "INPUT0", datatype: "FP32", shape: [-1] }],
};
const models = [
  { name: "echo", config: echo },
  { name: "slow", config: { ...echo, latency: { ms: 300 } } },
];
const body = JSON.stringify({ inputs: [{ name: "INPUT0", shape: [2], datatype: "FP32", data: [1, 2] }] });

/** POSTs on a fresh connection; resolves with the status, or "refused" when nothing listens. */
function infer(port: number, model: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: `/v2/models/${model}/infer`, method: "POST", agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode as number));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) =>
      resolve(err.code === "ECONNREFUSED" ? "refused" : "reset"),
    );
    req.end(body);
  });
}

/**
 * A request the server has accepted, its body not sent yet: with `Expect: 100-continue` the server
 * answers "100 Continue" once it has read the headers, which is the event `accepted` waits for.
 */
function acceptedRequest(port: number, model: string) {
  let accepted: () => void = () => {};
  const req = http.request({
    host: "127.0.0.1",
    port,
    path: `/v2/models/${model}/infer`,
    method: "POST",
    agent: false,
    headers: { expect: "100-continue", "content-length": Buffer.byteLength(body) },
  });
  const status = new Promise<number | string>((resolve) => {
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode as number));
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
  });
  return {
    accepted: new Promise<void>((resolve) => {
      accepted = resolve;
      req.on("continue", () => accepted());
    }),
    status,
    finish: () => req.end(body),
  };
}

async function occupy(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

describe("startServer({ grpcPort })", () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("should serve every protocol on a second port and give its URL as grpcUrl", async () => {
    server = await startServer({ models, grpcPort: 0 });
    expect(server.grpcPort).not.toBe(server.port);
    expect(server.grpcUrl).toBe(`http://127.0.0.1:${server.grpcPort}`);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const client = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: server.grpcUrl }));
    expect((await client.serverReady({})).ready).toBe(true);
    expect((await client.modelReady({ name: "echo" })).ready).toBe(true);
    expect(await infer(server.grpcPort, "echo")).toBe(200);
    expect(await infer(server.port, "echo")).toBe(200);
  });

  it("should give the first port as grpcUrl without one", async () => {
    server = await startServer({ models });
    expect(server.grpcUrl).toBe(server.url);
    expect(server.grpcPort).toBe(server.port);
  });

  it("should drain both ports on close: accepted requests answered, new connections refused", async () => {
    const running = await startServer({ models, grpcPort: 0, drainTimeoutMs: 5000 });
    const first = acceptedRequest(running.port, "slow");
    const second = acceptedRequest(running.grpcPort, "slow");
    await Promise.all([first.accepted, second.accepted]);
    const closed = running.close();
    first.finish();
    second.finish();
    expect(await Promise.all([first.status, second.status])).toEqual([200, 200]);
    await closed;
    expect(await infer(running.port, "echo")).toBe("refused");
    expect(await infer(running.grpcPort, "echo")).toBe("refused");
  });

  it("should close the first port when the second cannot be bound", async () => {
    const taken = await occupy();
    const free = await occupy();
    const firstPort = portOf(free);
    await new Promise((resolve) => free.close(resolve));
    try {
      await expect(startServer({ models, port: firstPort, grpcPort: portOf(taken) })).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
      // The first port was bound, then released: it can be bound again.
      const again = createServer();
      await new Promise<void>((resolve, reject) => {
        again.once("error", reject);
        again.listen(firstPort, "127.0.0.1", resolve);
      });
      await new Promise((resolve) => again.close(resolve));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
