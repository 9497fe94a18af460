import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { TensorwireError } from "@tensorwire/codec";
import { joinAligned } from "./join-aligned.js";

/** What `readBody` needs of a request: Node's HTTP/1.1 and HTTP/2 compat requests both fit. */
export interface BodySource extends Readable {
  readonly headers: { readonly [name: string]: string | string[] | undefined };
}

/**
 * Reads a request body into one buffer, at most `limit` bytes after decompression. An oversized
 * body is refused as soon as it is known to be too large (from Content-Length before reading,
 * or while reading), so it is never held in memory; the rest of it is discarded unread.
 * `Content-Encoding: gzip | deflate | br` bodies are decompressed, counting decompressed bytes
 * against the limit so a small compressed body cannot expand without bound.
 *
 * `alignAt`: a body offset where typed-array data starts (the binary extension's header length).
 * A body that arrives in several chunks has to be copied into one buffer anyway; placing it so that
 * this offset is 8-byte aligned lets the codec view the tensor data instead of copying it again.
 */
export function readBody(req: BodySource, limit: number, alignAt = 0): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (typeof declared === "string" && Number(declared) > limit) {
    req.resume();
    return Promise.reject(tooLarge(`${Number(declared)} bytes`, limit, false));
  }
  let source: Readable;
  try {
    source = decoder(req);
  } catch (err) {
    req.resume();
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const fail = (err: TensorwireError) => {
      source.off("data", onData);
      source.off("end", onEnd);
      if (source !== req) {
        req.unpipe();
        source.destroy();
      }
      // Discard whatever else arrives, without buffering it.
      req.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        fail(tooLarge(`at least ${total} bytes`, limit, source !== req));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : joinAligned(chunks, total, alignAt));
    source.on("data", onData);
    source.once("end", onEnd);
    source.once("error", (err: Error) => {
      fail(
        source === req
          ? new TensorwireError("cancelled", `reading the request body failed: ${err.message}`)
          : new TensorwireError(
              "invalid_argument",
              `the request body could not be decompressed: ${err.message}`,
              {
                field: "Content-Encoding",
              },
            ),
      );
    });
    if (source !== req) {
      req.once("error", (err: Error) =>
        fail(new TensorwireError("cancelled", `reading the request body failed: ${err.message}`)),
      );
    }
  });
}

function decoder(req: BodySource): Readable {
  const encoding = req.headers["content-encoding"];
  if (encoding === undefined) {
    return req;
  }
  switch (String(encoding).trim().toLowerCase()) {
    case "":
    case "identity":
      return req;
    case "gzip":
    case "x-gzip":
      return req.pipe(createGunzip());
    case "deflate":
      return req.pipe(createInflate());
    case "br":
      return req.pipe(createBrotliDecompress());
    default:
      throw new TensorwireError(
        "invalid_argument",
        `unsupported Content-Encoding '${String(encoding)}': send gzip, deflate, br or identity`,
        { field: "Content-Encoding" },
      );
  }
}

function tooLarge(size: string, limit: number, decompressed: boolean): TensorwireError {
  const what = decompressed ? "decompressed request body" : "request body";
  return new TensorwireError(
    "resource_exhausted",
    `the ${what} (${size}) exceeds the maximum allowed input size of ${limit} bytes; use --http-max-input-size to raise it`,
    { field: "body" },
  );
}
