import { Code, ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";

/**
 * gRPC over HTTP/2 wire details for the fast path that `@connectrpc/connect/protocol` has no
 * synchronous, zero-copy form of, each matching what connect-node's gRPC handler puts on the wire
 * (the fast-path tests compare both byte for byte).
 */

/** One length-prefixed message: 1 flag byte (bit 0: compressed), 4 bytes big-endian length. */
export interface Envelope {
  readonly compressed: boolean;
  readonly data: Uint8Array;
}

export const envelopePrefixBytes = 5;

/**
 * Splits a whole request body into its complete envelopes; `incomplete` when a partial one
 * follows them, which connect reports only after handling the complete ones before it.
 */
export function splitEnvelopes(body: Uint8Array): { envelopes: Envelope[]; incomplete: boolean } {
  const envelopes: Envelope[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < envelopePrefixBytes) {
      return { envelopes, incomplete: true };
    }
    const size =
      (((body[at + 1] as number) << 24) >>> 0) +
      ((body[at + 2] as number) << 16) +
      ((body[at + 3] as number) << 8) +
      (body[at + 4] as number);
    const end = at + envelopePrefixBytes + size;
    if (end > body.length) {
      return { envelopes, incomplete: true };
    }
    envelopes.push({
      compressed: ((body[at] as number) & 1) === 1,
      data: body.subarray(at + envelopePrefixBytes, end),
    });
    at = end;
  }
  return { envelopes, incomplete: false };
}

export function incompleteEnvelope(): ConnectError {
  return new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
}

/** Message pieces at least this long are written as they are rather than copied into one buffer. */
const copyLimit = 64 * 1024;

/**
 * The envelope of one uncompressed message given in pieces, as the chunks to write: small pieces
 * are copied together behind the prefix, large ones (tensor data) are written without a copy.
 * connect's `encodeEnvelope` takes one contiguous message, which for a 1 MiB tensor would cost two
 * copies of it (joining the pieces, then the envelope); the compressed answer, contiguous anyway,
 * goes through `encodeEnvelope`.
 */
export function envelope(pieces: readonly Uint8Array[]): Uint8Array[] {
  let size = 0;
  for (const piece of pieces) {
    size += piece.byteLength;
  }
  const prefix = Buffer.allocUnsafe(envelopePrefixBytes);
  prefix[0] = 0;
  prefix.writeUInt32BE(size, 1);
  const chunks: Uint8Array[] = [];
  let pending: Uint8Array[] = [prefix];
  for (const piece of pieces) {
    if (piece.byteLength < copyLimit) {
      pending.push(piece);
    } else {
      chunks.push(Buffer.concat(pending), piece);
      pending = [];
    }
  }
  if (pending.length > 0) {
    chunks.push(Buffer.concat(pending));
  }
  return chunks;
}

/** connect-node compresses a response message only from this size up (its `compressMinBytes`). */
export const compressMinBytes = 1024;

/**
 * A header block in the order connect-node writes it: web `Headers` iterate sorted by name. A later
 * entry replaces an earlier one of the same name, as `Headers.set` does.
 */
export function sortedHeaders(entries: Iterable<readonly [string, string]>): Record<string, string> {
  const merged = new Map<string, string>();
  for (const [name, value] of entries) {
    merged.set(name.toLowerCase(), value);
  }
  const out: Record<string, string> = {};
  for (const key of [...merged.keys()].sort()) {
    out[key] = merged.get(key) as string;
  }
  return out;
}

/** A request header as web `Headers.get` returns it: repeated values joined with ", ". */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * The trailers of a failed call, built by connect's own `setTrailerStatus` (status, percent-encoded
 * message, the error's non-protocol metadata; connect is pinned to an exact version for this).
 */
export function errorTrailers(error: ConnectError): Record<string, string> {
  return Object.fromEntries(setTrailerStatus(new Headers(), error));
}
