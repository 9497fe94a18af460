import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionGzip } from "@connectrpc/connect-node";

/** The gRPC side's size limit (`StartServerOptions.grpcMaxMessageSize`). */
export interface GrpcLimitOptions {
  /**
   * Largest request message of a gRPC, gRPC-Web or Connect call, in bytes, as its envelope
   * declares it and after decompression. A larger one is refused with RESOURCE_EXHAUSTED as soon
   * as its 5-byte envelope prefix arrives, before its body is read. Default 64 MiB, the REST body
   * limit's default (`--http-max-input-size`).
   */
  readonly grpcMaxMessageSize: number;
}

/**
 * The refusal of a message longer than the limit, in connect's own words
 * (`assertReadMaxBytes`), so that OIP's fast path and the connect path answer alike.
 */
export function messageTooLarge(size: number, limit: number): ConnectError {
  return new ConnectError(
    `message size ${size} is larger than configured readMaxBytes ${limit}`,
    Code.ResourceExhausted,
  );
}

/**
 * Checks the declared lengths of a stream of gRPC envelopes as its bytes arrive, without copying
 * them: `push` each chunk as it is buffered; it answers the first declared length over `limit`,
 * or undefined. A stream declaring 4 GiB is refused at its first 5 bytes, not after 4 GiB.
 */
export function createEnvelopeLimit(
  limit: number,
): (chunks: readonly Uint8Array[], total: number) => number | undefined {
  // Stream offset of the next envelope's prefix.
  let next = 0;
  return (chunks, total) => {
    while (total >= next + 5) {
      const size =
        byteAt(chunks, next + 1) * 0x100_0000 +
        (byteAt(chunks, next + 2) << 16) +
        (byteAt(chunks, next + 3) << 8) +
        byteAt(chunks, next + 4);
      if (size > limit) {
        return size;
      }
      next += 5 + size;
    }
    return undefined;
  };
}

/** The byte at a stream offset of buffered chunks (the prefix may straddle two DATA frames). */
function byteAt(chunks: readonly Uint8Array[], offset: number): number {
  let at = offset;
  for (const chunk of chunks) {
    if (at < chunk.length) {
      return chunk[at] as number;
    }
    at -= chunk.length;
  }
  return 0;
}

/**
 * connect-node's gzip with a look at the gzip trailer first: its last 4 bytes (ISIZE) state the
 * inflated size (modulo 2^32), so a bomb that states more than the limit is refused without
 * inflating a byte of it. ISIZE can lie, and a stream may hold several members, so connect's
 * bounded inflate (zlib's maxOutputLength = the limit) stays behind it.
 */
export const limitedGzip: Compression = {
  name: compressionGzip.name,
  compress: (bytes) => compressionGzip.compress(bytes),
  decompress(bytes, readMaxBytes) {
    if (bytes.length >= 18) {
      const at = bytes.length - 4;
      const stated =
        ((bytes[at] as number) |
          ((bytes[at + 1] as number) << 8) |
          ((bytes[at + 2] as number) << 16) |
          ((bytes[at + 3] as number) << 24)) >>>
        0;
      if (stated > readMaxBytes) {
        return Promise.reject(
          new ConnectError(
            `message is larger than configured readMaxBytes ${readMaxBytes} after decompression (the gzip trailer states ${stated} bytes)`,
            Code.ResourceExhausted,
          ),
        );
      }
    }
    return compressionGzip.decompress(bytes, readMaxBytes);
  },
};
