import type { DataPlane } from "./core/data-plane.js";
import { createServerCore, type ServerCoreOptions } from "./core/index.js";
import { type ListenOptions, listen } from "./listen.js";
import { createRequestHandler, type TransportOptions } from "./transport/create-handler.js";

/**
 * Everything `startServer` takes: the core's options (models, repository, control mode, ...), the
 * transports' (body limit) and the listener's (port, host, TLS). Every field is optional.
 */
export interface StartServerOptions extends ServerCoreOptions, TransportOptions, ListenOptions {}

export interface RunningServer {
  /** Base URL for REST and for Connect/gRPC/gRPC-Web transports: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The same port: gRPC shares it. Given separately for clients that take a URL per protocol. */
  readonly grpcUrl: string;
  /** `host:port`, the form tritonclient and grpcurl take. */
  readonly address: string;
  /** The bound port (the real one when port 0 was asked for). */
  readonly port: number;
  /** The data plane behind every protocol, for tests that want to look past the wire. */
  readonly dataPlane: DataPlane;
  /** Stops accepting connections, lets in-flight requests finish, then unloads the models. */
  close(): Promise<void>;
}

/**
 * Starts the server in-process: REST, gRPC, Connect and gRPC-Web on one port. Defaults suit tests:
 * port 0 (a free one) on 127.0.0.1; the default model zoo unless `models` or `repository` is given.
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
  const core = await createServerCore(options);
  try {
    const handler = createRequestHandler(core.dataPlane, options);
    const listener = await listen(handler, {
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1",
      tls: options.tls,
    });
    const scheme = listener.secure ? "https" : "http";
    const address = `${urlHost(listener.host)}:${listener.port}`;
    const url = `${scheme}://${address}`;
    return {
      url,
      grpcUrl: url,
      address,
      port: listener.port,
      dataPlane: core.dataPlane,
      async close() {
        await listener.close();
        await core.close();
      },
    };
  } catch (err) {
    await core.close();
    throw err;
  }
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
