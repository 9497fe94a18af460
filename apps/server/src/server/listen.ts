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
  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS advertised on every HTTP/2 connection; streams past it are
   * refused with REFUSED_STREAM. Default 100.
   */
  readonly maxConcurrentStreams: number;
  /**
   * Largest request header section in bytes: HTTP/2's SETTINGS_MAX_HEADER_LIST_SIZE (a larger
   * header list resets the stream) and HTTP/1.1's header limit (431). Default 16384.
   */
  readonly maxHeaderSize: number;
  /**
   * An HTTP/2 connection without open streams, or an HTTP/1.1 keep-alive connection between
   * requests, is closed after this long without traffic. Default 75000.
   */
  readonly idleTimeoutMs: number;
  /**
   * A connection must complete its TLS handshake and, for HTTP/2, its connection preface and
   * SETTINGS within this long of being accepted, or it is closed. Default 10000.
   */
  readonly handshakeTimeoutMs: number;
  /** HTTP/1.1: how long a request's header section may take to arrive (408 after). Default 10000. */
  readonly headersTimeoutMs: number;
  /** HTTP/1.1: how long a whole request, body included, may take to arrive (408 after); 0 for none. Default 120000. */
  readonly requestTimeoutMs: number;
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
   * Drains, then closes: stops accepting connections and requests at once (HTTP/2 sessions get
   * GOAWAY with their last stream id, HTTP/1.1 responses `Connection: close`, idle keep-alive
   * connections close, a request arriving on an open HTTP/1.1 connection gets 503), lets in-flight
   * requests finish for up to `graceMs` (default 5000), then cuts whatever is left.
   */
  close(graceMs?: number): Promise<void>;
}

/** The connection limits' and timeouts' defaults, documented on `ListenOptions`. */
export const connectionDefaults = {
  maxConcurrentStreams: 100,
  maxHeaderSize: 16 * 1024,
  idleTimeoutMs: 75_000,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
} as const;

const defaults: ListenOptions = {
  port: 8080,
  host: "0.0.0.0",
  tls: undefined,
  streamHandler: undefined,
  ...connectionDefaults,
};

/** Per-stream window: one MiB-sized tensor arrives without waiting for WINDOW_UPDATEs. */
const initialWindowSize = 4 * 1024 * 1024;
const connectionWindowBytes = 16 * 1024 * 1024;

/**
 * Rapid reset (CVE-2023-44487): a session whose client resets more than this many streams it
 * opened within `resetWindowMs` gets GOAWAY ENHANCE_YOUR_CALM and is closed. Hand-counted: the
 * reset rate limit node:http2 has (`streamResetBurst` 1000, `streamResetRate` 33/s, nghttp2's)
 * ends the session with INTERNAL_ERROR and leaves its socket to the client to close.
 */
const maxClientResets = 200;
const resetWindowMs = 10_000;

/** How long a closed session's socket may take to flush (its GOAWAY) before it is destroyed. */
const lingerMs = 1000;

/**
 * How often node:http checks HTTP/1.1 connections against headersTimeout and requestTimeout
 * (its default, 30 s, would let a slow client keep a connection 30 s past either).
 */
const connectionsCheckingIntervalMs = 1000;

/** The client connection preface of HTTP/2 (RFC 9113 §3.4). */
const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** "PRI" is no HTTP/1.1 method, so three matching bytes decide; fewer may still be "POST"/"PUT". */
const decidingBytes = 3;

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
  const o = { ...defaults, ...options };
  const { port, host, tls, streamHandler } = o;
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  let closing = false;
  // The socket under the session node:http2 is creating: "session" is emitted synchronously while
  // the socket is handed over, and the session itself exposes its socket only through a proxy
  // that refuses destroy().
  let arriving: net.Socket | undefined;
  const h2Options = {
    settings: {
      initialWindowSize,
      maxConcurrentStreams: o.maxConcurrentStreams,
      maxHeaderListSize: o.maxHeaderSize,
    },
  } satisfies http2.ServerOptions;
  const trackSessions = (server: http2.Http2Server | http2.Http2SecureServer) =>
    streamsFirstTo(streamHandler, server).on("session", (session) => {
      const socket = arriving;
      arriving = undefined;
      // The default 64 KiB connection window makes a client wait a round trip per 64 KiB of a
      // large tensor; 16 MiB lets a few MiB-sized requests stream without stalls.
      session.setLocalWindowSize(connectionWindowBytes);
      if (closing) {
        // A connection accepted just before close() whose preface arrived after it.
        session.close();
        return;
      }
      sessions.add(session);
      guardSession(session, socket, o);
      session.once("close", () => sessions.delete(session));
    });

  // Answers a request that arrives after close() began: the client may send it elsewhere.
  const serveOrRefuse = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) {
      res.shouldKeepAlive = false;
      res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
      res.end('{"error":"the server is shutting down"}');
      return;
    }
    (handler as http.RequestListener)(req, res);
  };
  // Every HTTP/1.1 response whose headers go out after close() began says Connection: close, so
  // the client opens its next request elsewhere; a subclass, so a request costs no listener.
  // writeHead is assigned rather than overridden: its overloads cannot be restated in TypeScript.
  class DrainingResponse extends http.ServerResponse {}
  const writeHead = http.ServerResponse.prototype.writeHead as (
    this: http.ServerResponse,
    a?: unknown,
    b?: unknown,
    c?: unknown,
  ) => http.ServerResponse;
  DrainingResponse.prototype.writeHead = function (
    this: http.ServerResponse,
    a?: unknown,
    b?: unknown,
    c?: unknown,
  ) {
    if (closing) {
      this.shouldKeepAlive = false;
    }
    return writeHead.call(this, a, b, c);
  } as http.ServerResponse["writeHead"];
  const h1Settings = {
    maxHeaderSize: o.maxHeaderSize,
    // node:http refuses a headers timeout longer than the request timeout it is part of.
    headersTimeout:
      o.requestTimeoutMs > 0 ? Math.min(o.headersTimeoutMs, o.requestTimeoutMs) : o.headersTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    keepAliveTimeout: o.idleTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalMs,
  };

  // noDelay (Nagle's algorithm off), as node:http's own servers set it: HTTP/1.1 connections are
  // accepted here, not by the http.Server they are handed to, and without it the last segment of a
  // response written in two parts (binary tensor data) waits for the client's delayed ACK.
  let server: net.Server;
  let h1: http.Server | undefined;
  if (tls !== undefined) {
    const secure = http2.createSecureServer(
      {
        ...h2Options,
        cert: tls.cert,
        key: tls.key,
        allowHTTP1: true,
        noDelay: true,
        handshakeTimeout: o.handshakeTimeoutMs,
        Http1ServerResponse: DrainingResponse,
      },
      (req, res) => {
        if (closing && req.httpVersionMajor === 1) {
          serveOrRefuse(req as never, res as never);
        } else {
          (handler as (q: typeof req, s: typeof res) => void)(req, res);
        }
      },
    );
    // The HTTP/1.1 side of allowHTTP1 reads node:http's settings from the server object; they are
    // not options of createSecureServer.
    Object.assign(secure, h1Settings);
    secure.prependListener("secureConnection", (socket: net.Socket) => {
      arriving = socket;
    });
    server = trackSessions(secure);
    h1 = secure as unknown as http.Server;
  } else {
    const h1Server = http.createServer({ ...h1Settings, ServerResponse: DrainingResponse }, serveOrRefuse);
    // The HTTP/1.1 server never listens itself, but Node starts its connection tracking on
    // "listening": without it neither headersTimeout/requestTimeout (slow-client protection) nor
    // closeIdleConnections() work for the sockets handed to it.
    h1Server.emit("listening");
    const h2 = trackSessions(http2.createServer(h2Options, handler as never));
    h1 = h1Server;
    server = net.createServer({ noDelay: true }, (socket) =>
      sniff(socket, o.handshakeTimeoutMs, h1Server, (s) => {
        arriving = s;
        h2.emit("connection", s);
      }),
    );
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
      // Closes idle keep-alive connections (for TLS, server.close() above did); the callback
      // only reports that this server never listened.
      if (tls === undefined) {
        h1?.close(() => {});
      }
      for (const session of sessions) {
        // GOAWAY with the last stream id the session accepted: later streams are refused.
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
 * Reclaims what a session holds however it ends: node:http2 closes a session on GOAWAY, error or
 * a rate limit but leaves its socket open (in CLOSE-WAIT once the client has gone) until the
 * client reads the last bytes, which it may never do. Adds the handshake and idle timeouts and
 * the rapid-reset limit.
 */
function guardSession(
  session: http2.ServerHttp2Session,
  socket: net.Socket | undefined,
  o: Pick<ListenOptions, "handshakeTimeoutMs" | "idleTimeoutMs">,
): void {
  // destroy() sends GOAWAY with its code; an error is needed for any code but NO_ERROR (the
  // session emits it, and the listener below takes it).
  const end = (code: number, why: string) => {
    if (!session.destroyed) {
      session.destroy(code === http2.constants.NGHTTP2_NO_ERROR ? undefined : new Error(why), code);
    }
  };
  session.once("close", () => {
    clearTimeout(handshake);
    if (socket !== undefined && !socket.destroyed) {
      socket.end();
      setTimeout(() => socket.destroy(), lingerMs).unref();
    }
  });
  session.on("error", () => end(http2.constants.NGHTTP2_INTERNAL_ERROR, "session error"));
  socket?.once("end", () => end(http2.constants.NGHTTP2_NO_ERROR, "the client closed the connection"));

  // The handshake is done once the client's SETTINGS have arrived (the end of its preface) and it
  // has acknowledged the server's: only then do the stream and header limits apply (RFC 9113
  // §6.5.3), so a client that never acknowledges them is not kept.
  const handshake = setTimeout(
    () => end(http2.constants.NGHTTP2_SETTINGS_TIMEOUT, "no HTTP/2 preface and SETTINGS in time"),
    o.handshakeTimeoutMs,
  );
  handshake.unref();
  let settled = 0;
  const settle = () => {
    if (++settled === 2) {
      clearTimeout(handshake);
    }
  };
  session.once("remoteSettings", settle);
  session.once("localSettings", settle);

  let open = 0;
  let resets = 0;
  let windowStart = 0;
  // One listener function per session, added with on() (a stream closes once): a stream costs no
  // closure and no once() wrapper on the hot path.
  const onStreamClose = function (this: http2.ServerHttp2Stream) {
    open--;
    if (this.rstCode === http2.constants.NGHTTP2_CANCEL) {
      const now = Date.now();
      if (now - windowStart > resetWindowMs) {
        windowStart = now;
        resets = 0;
      }
      if (++resets > maxClientResets) {
        end(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, "too many streams reset by the client");
      }
    }
  };
  session.on("stream", (stream: http2.ServerHttp2Stream) => {
    open++;
    stream.on("close", onStreamClose);
  });
  // A session's timeout restarts on every frame; an open stream (a long inference, a stream RPC)
  // keeps its session, however quiet.
  session.setTimeout(o.idleTimeoutMs, () => {
    if (open === 0) {
      session.close();
    }
  });
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
function sniff(
  socket: net.Socket,
  timeoutMs: number,
  h1: http.Server,
  h2: (socket: net.Socket) => void,
): void {
  let head: Buffer | undefined;
  const drop = () => socket.destroy();
  socket.on("error", drop);
  socket.once("end", drop);
  socket.setTimeout(timeoutMs, drop);
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
    if (maybeH2) {
      h2(socket);
    } else {
      h1.emit("connection", socket);
    }
  };
  socket.once("readable", onReadable);
}
