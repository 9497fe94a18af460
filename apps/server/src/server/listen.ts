import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { NodeHandlerFn, StreamHandler } from "../http/node-types.js";

/**
 * One port for every protocol. Cleartext: a `net.Server` looks at the first bytes of each
 * connection and hands it to an `http2.Server` (the HTTP/2 prior-knowledge preface: gRPC, Connect,
 * gRPC-Web, REST over h2c) or to an `http.Server` (HTTP/1.1: REST, Connect, gRPC-Web). TLS: one
 * `http2.createSecureServer` with `allowHTTP1`, which picks by ALPN (h2, http/1.1).
 */

/** Where and how {@link listen} accepts connections. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one (read it from `Listener.port`). Default 8080. */
  readonly port: number;
  /** Address to bind. Default "0.0.0.0" (all IPv4 interfaces); tests use "127.0.0.1". */
  readonly host: string;
  /** PEM certificate chain and private key; both or neither. Without them the port is cleartext. */
  readonly tls:
    | {
        /** The PEM certificate chain. */
        readonly cert: string | Buffer;
        /** The PEM private key. */
        readonly key: string | Buffer;
      }
    | undefined;
  /**
   * Sees every HTTP/2 stream before `handler` does and returns true for the ones it answered
   * itself (the fast gRPC path). Default: none.
   */
  readonly streamHandler: StreamHandler | undefined;
}

/** A port {@link listen} bound, serving every protocol. */
export interface Listener {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** The bound address. */
  readonly host: string;
  /** Whether the port speaks TLS. */
  readonly secure: boolean;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs` (default
   * 5000), then closes whatever is left.
   */
  close(graceMs?: number): Promise<void>;
}

const defaults: ListenOptions = { port: 8080, host: "0.0.0.0", tls: undefined, streamHandler: undefined };

/** Per-stream window: one MiB-sized tensor arrives without waiting for WINDOW_UPDATEs. */
const h2Settings: http2.Settings = { initialWindowSize: 4 * 1024 * 1024 };
const connectionWindowBytes = 16 * 1024 * 1024;

/** The client connection preface of HTTP/2 (RFC 9113 §3.4). */
const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** "PRI" is no HTTP/1.1 method, so three matching bytes decide; fewer may still be "POST"/"PUT". */
const decidingBytes = 3;

/** A connection that sends nothing for this long is dropped before it reaches an HTTP server. */
const sniffTimeoutMs = 30_000;

/**
 * Binds one port for a request handler: HTTP/1.1 and HTTP/2 (cleartext h2c or TLS) on the same
 * port, told apart by the connection's first bytes or by ALPN.
 *
 * @example
 * ```ts
 * import { createRequestHandler, createServerCore, listen } from "@tensorwire/server";
 *
 * const core = await createServerCore({ zooGroups: ["seldon"] });
 * const listener = await listen(createRequestHandler(core.dataPlane), { port: 0, host: "127.0.0.1" });
 * console.log(`serving on ${listener.host}:${listener.port}`);
 * await listener.close();
 * await core.close();
 * ```
 */
export async function listen(
  handler: NodeHandlerFn,
  options: Partial<ListenOptions> = {},
): Promise<Listener> {
  const { port, host, tls, streamHandler } = { ...defaults, ...options };
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  let closing = false;
  const trackSessions = (server: http2.Http2Server | http2.Http2SecureServer) =>
    streamsFirstTo(streamHandler, server).on("session", (session) => {
      // The default 64 KiB connection window makes a client wait a round trip per 64 KiB of a
      // large tensor; 16 MiB lets a few MiB-sized requests stream without stalls.
      session.setLocalWindowSize(connectionWindowBytes);
      if (closing) {
        // A connection accepted just before close() whose preface arrived after it.
        session.close();
        return;
      }
      sessions.add(session);
      session.once("close", () => sessions.delete(session));
    });

  // noDelay (Nagle's algorithm off), as node:http's own servers set it: HTTP/1.1 connections are
  // accepted here, not by the http.Server they are handed to, and without it the last segment of a
  // response written in two parts (binary tensor data) waits for the client's delayed ACK.
  let server: net.Server;
  let h1: http.Server | undefined;
  if (tls !== undefined) {
    server = trackSessions(
      http2.createSecureServer(
        { cert: tls.cert, key: tls.key, allowHTTP1: true, settings: h2Settings, noDelay: true },
        handler as never,
      ),
    );
  } else {
    const h1Server = http.createServer(handler as http.RequestListener);
    // The HTTP/1.1 server never listens itself, but Node starts its connection tracking on
    // "listening": without it neither headersTimeout/requestTimeout (slow-client protection) nor
    // closeIdleConnections() work for the sockets handed to it.
    h1Server.emit("listening");
    const h2 = trackSessions(http2.createServer({ settings: h2Settings }, handler as never));
    h1 = h1Server;
    server = net.createServer({ noDelay: true }, (socket) => sniff(socket, h1Server, h2));
  }
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    port: address.port,
    host,
    secure: tls !== undefined,
    async close(graceMs = 5000) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Closes idle keep-alive connections and stops the tracking timer; the callback only reports
      // that this server never listened.
      h1?.close(() => {});
      for (const session of sessions) {
        session.close();
      }
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([closed, grace]);
      clearTimeout(timer);
      for (const socket of sockets) {
        socket.destroy();
      }
      await closed;
    },
  };
}

/**
 * Puts `streamHandler` in front of the compatibility layer; streams it declines reach that layer
 * unchanged.
 *
 * Why a takeover of the "stream" listeners rather than a documented hook: node:http2 documents two
 * entry points, the Core API's "stream" event and the Compatibility API's request handler, and
 * implements the second as its own "stream" listener (added when a "request" listener is) that
 * builds an `Http2ServerRequest` and `Http2ServerResponse` for every stream. Nothing documented
 * lets a stream skip that listener: those objects are created by the server only (their
 * constructors are not public API), so a stream cannot be handed to the compatibility layer later.
 * The documented way round, serving the fast path from the request handler through
 * `request.stream`, still builds both objects and their eleven stream listeners for every call:
 * measured on the bare node:http2 ceiling (bench/servers/bare-http2.ts, 60,000 small gRPC calls,
 * four interleaved rounds), 63 → 70 µs of CPU per call (+11%), more than the benchmarks allow; and
 * the compatibility response's "wantTrailers" listener would send its own (empty) trailers unless
 * every answer set them through `response.addTrailers`. So the compatibility listener is taken off
 * and called for the declined streams with the arguments Node gave; the check below fails start-up
 * if a Node version stops adding exactly one, rather than serving nothing.
 */
function streamsFirstTo<S extends http2.Http2Server | http2.Http2SecureServer>(
  streamHandler: StreamHandler | undefined,
  server: S,
): S {
  if (streamHandler === undefined) {
    return server;
  }
  const compat = server.listeners("stream") as ((...args: unknown[]) => void)[];
  if (compat.length !== 1) {
    throw new Error(
      `node:http2 added ${compat.length} "stream" listeners for the request handler, expected its one compatibility listener`,
    );
  }
  const [compatibility] = compat as [(...args: unknown[]) => void];
  server.removeAllListeners("stream");
  server.on(
    "stream",
    (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
      if (!streamHandler(stream, headers)) {
        compatibility.call(server, stream, headers, ...rest);
      }
    },
  );
  return server;
}

/**
 * Reads the first bytes with `readable` + `read()` and puts them back with `unshift()` before the
 * hand-off; a "data" listener would switch the socket to flowing mode and lose the HTTP/2 preface.
 */
function sniff(socket: net.Socket, h1: http.Server, h2: http2.Http2Server): void {
  let head: Buffer | undefined;
  const drop = () => socket.destroy();
  socket.on("error", drop);
  socket.once("end", drop);
  socket.setTimeout(sniffTimeoutMs, drop);
  const onReadable = () => {
    const chunk = socket.read() as Buffer | null;
    if (chunk !== null) {
      head = head === undefined ? chunk : Buffer.concat([head, chunk]);
    }
    if (head === undefined) {
      socket.once("readable", onReadable);
      return;
    }
    const n = Math.min(head.length, preface.length);
    const maybeH2 = head.subarray(0, n).equals(preface.subarray(0, n));
    if (maybeH2 && n < decidingBytes) {
      socket.once("readable", onReadable);
      return;
    }
    socket.off("error", drop);
    socket.off("end", drop);
    socket.setTimeout(0);
    socket.off("timeout", drop);
    socket.unshift(head);
    (maybeH2 ? h2 : h1).emit("connection", socket);
  };
  socket.once("readable", onReadable);
}
