import * as net from "node:net";

// Raw HTTP/2 frames for the probes that break the protocol's rules (resets right after HEADERS,
// streams past the advertised limit, prefaces cut short), which node:http2's client will not send.

/** The client connection preface (RFC 9113 §3.4). */
export const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** Frame types (RFC 9113 §6). */
export const frameType = {
  data: 0x0,
  headers: 0x1,
  rstStream: 0x3,
  settings: 0x4,
  ping: 0x6,
  goaway: 0x7,
  windowUpdate: 0x8,
  continuation: 0x9,
} as const;

/** Error codes (RFC 9113 §7). */
export const h2Error = { noError: 0x0, refusedStream: 0x7, cancel: 0x8, enhanceYourCalm: 0xb } as const;

/** SETTINGS_MAX_CONCURRENT_STREAMS and SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2). */
export const settingId = { maxConcurrentStreams: 0x3, maxHeaderListSize: 0x6 } as const;

const endStream = 0x1;
const endHeaders = 0x4;

/** One frame: 9-byte header and payload. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)) {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** An empty SETTINGS frame: the second half of the client preface. */
export const emptySettings = frame(frameType.settings, 0, 0);

/** A header field as an HPACK literal without indexing, its name by static-table index (RFC 7541). */
function literal(nameIndex: number, value: string): Buffer {
  const v = Buffer.from(value, "latin1");
  if (v.length > 126) {
    throw new Error("header values here stay under 127 bytes (one length byte)");
  }
  return Buffer.concat([Buffer.from([nameIndex, v.length]), v]);
}

/** A header field with a new name, as an HPACK literal without indexing. */
function newLiteral(name: string, value: string): Buffer {
  const n = Buffer.from(name, "latin1");
  const v = Buffer.from(value, "latin1");
  return Buffer.concat([Buffer.from([0, n.length]), n, lengthPrefixed(v)]);
}

/** An HPACK string literal with a 7-bit prefixed length (RFC 7541 §5.1), no Huffman coding. */
function lengthPrefixed(v: Buffer): Buffer {
  if (v.length < 127) {
    return Buffer.concat([Buffer.from([v.length]), v]);
  }
  const bytes = [127];
  let rest = v.length - 127;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.concat([Buffer.from(bytes), v]);
}

/** The header block of a request: `:method` GET (static 2) or POST (static 3), `:scheme` http. */
export function requestBlock(method: "GET" | "POST", path: string, extra: Record<string, string> = {}) {
  return Buffer.concat([
    Buffer.from([method === "GET" ? 0x82 : 0x83, 0x86]),
    literal(0x04, path),
    literal(0x01, "127.0.0.1"),
    ...Object.entries(extra).map(([name, value]) => newLiteral(name, value)),
  ]);
}

/** A HEADERS frame with the whole header block; `end` also ends the stream (no body). */
export function headers(streamId: number, block: Buffer, end: boolean): Buffer {
  return frame(frameType.headers, endHeaders | (end ? endStream : 0), streamId, block);
}

/** A RST_STREAM frame. */
export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(frameType.rstStream, 0, streamId, payload);
}

/** A received frame. */
export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** A raw connection that keeps every frame the server sends and when the server closed it. */
export interface RawH2 {
  readonly socket: net.Socket;
  readonly frames: Frame[];
  /** Resolves once the socket has closed, however. */
  readonly closed: Promise<void>;
  /** The SETTINGS the server sent first, id → value. */
  settings(): Map<number, number>;
  /** The error code of the server's GOAWAY, if one came. */
  goawayCode(): number | undefined;
  /** How many RST_STREAMs with `code` the server sent. */
  resets(code: number): number;
}

/**
 * Connects to 127.0.0.1:`port` and sends `first` (e.g. the preface and SETTINGS); acknowledges the
 * server's SETTINGS, as a client must, unless `ackSettings` is false.
 */
export async function connectRaw(port: number, first: Buffer, ackSettings = true): Promise<RawH2> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const frames: Frame[] = [];
  let pending = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < 9 + length) {
        break;
      }
      const received = {
        type: pending[3] as number,
        flags: pending[4] as number,
        streamId: pending.readUInt32BE(5) & 0x7fffffff,
        payload: pending.subarray(9, 9 + length),
      };
      frames.push(received);
      if (ackSettings && received.type === frameType.settings && (received.flags & 0x1) === 0) {
        socket.write(frame(frameType.settings, 0x1, 0));
      }
      pending = pending.subarray(9 + length);
    }
  });
  // The server may reset the connection; that is one of the outcomes the probes look at.
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.write(first);
  return {
    socket,
    frames,
    closed,
    settings() {
      const first = frames.find((f) => f.type === frameType.settings && (f.flags & 0x1) === 0);
      const map = new Map<number, number>();
      for (let i = 0; first !== undefined && i + 6 <= first.payload.length; i += 6) {
        map.set(first.payload.readUInt16BE(i), first.payload.readUInt32BE(i + 2));
      }
      return map;
    },
    goawayCode() {
      const goaway = frames.find((f) => f.type === frameType.goaway);
      return goaway?.payload.readUInt32BE(4);
    },
    resets(code) {
      return frames.filter((f) => f.type === frameType.rstStream && f.payload.readUInt32BE(0) === code)
        .length;
    },
  };
}

/** Resolves true once `raw` closed, false if it is still open after `ms`. */
export async function closedWithin(raw: RawH2, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    raw.closed.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return result;
}
