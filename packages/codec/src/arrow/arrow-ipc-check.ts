import { invalidArgument } from "../error.js";

/**
 * apache-arrow trusts IPC metadata: a corrupt flatbuffer vector length makes it loop billions of
 * times instead of throwing. `checkArrowIpc` verifies the framing and every flatbuffer table,
 * vector and string that apache-arrow reads against the bytes present, so decoding arbitrary
 * bytes either fails fast here or hands apache-arrow metadata whose loops are bounded by its size.
 * The layouts are Arrow's Schema.fbs, Message.fbs and File.fbs (field numbers in comments).
 */

type Shape =
  | { readonly kind: "table"; readonly fields: Readonly<Record<number, Shape>> }
  | {
      readonly kind: "union";
      readonly typeField: number;
      readonly member: (type: number) => Shape | undefined;
    }
  | { readonly kind: "vector"; readonly elementSize: number }
  | { readonly kind: "tables"; readonly of: () => Shape }
  | { readonly kind: "string" };

const table = (fields: Readonly<Record<number, Shape>>): Shape => ({ kind: "table", fields });
const vector = (elementSize: number): Shape => ({ kind: "vector", elementSize });
const string: Shape = { kind: "string" };
const scalarsOnly = table({});

const keyValues: Shape = { kind: "tables", of: () => table({ 0: string, 1: string }) };

// Type union members: Timestamp (10) has a timezone string, Union (14) a typeIds vector; the rest
// hold scalars only.
const typeMember = (type: number): Shape =>
  type === 10 ? table({ 1: string }) : type === 14 ? table({ 1: vector(4) }) : scalarsOnly;

const field: Shape = table({
  0: string, // name
  3: { kind: "union", typeField: 2, member: typeMember }, // type
  4: table({ 1: scalarsOnly }), // dictionary: DictionaryEncoding.indexType
  5: { kind: "tables", of: () => field }, // children
  6: keyValues, // custom_metadata
});

const schema: Shape = table({ 1: { kind: "tables", of: () => field }, 2: keyValues, 3: vector(8) });

// nodes and buffers are vectors of 16-byte structs; compression a table of scalars.
const recordBatch: Shape = table({ 1: vector(16), 2: vector(16), 3: scalarsOnly, 4: vector(8) });

const message: Shape = table({
  2: {
    kind: "union",
    typeField: 1,
    // Schema (1), DictionaryBatch (2), RecordBatch (3); Tensor and SparseTensor are refused.
    member: (type) =>
      type === 1 ? schema : type === 2 ? table({ 1: recordBatch }) : type === 3 ? recordBatch : undefined,
  },
  4: keyValues,
});

// recordBatches and dictionaries are vectors of 24-byte Block structs.
const footer: Shape = table({ 1: schema, 2: vector(24), 3: vector(24), 4: keyValues });

// Nested Field children deeper than this are an attack, not a schema.
const maxDepth = 64;

class Verifier {
  constructor(
    private readonly view: DataView,
    private readonly start: number,
    private readonly end: number,
  ) {}

  private ok(at: number, size: number): boolean {
    return Number.isSafeInteger(at) && at >= this.start && size >= 0 && at + size <= this.end;
  }

  root(shape: Shape): boolean {
    return (
      this.ok(this.start, 4) && this.verify(this.start + this.view.getUint32(this.start, true), shape, 0)
    );
  }

  private verify(at: number, shape: Shape, depth: number): boolean {
    if (depth > maxDepth) {
      return false;
    }
    const v = this.view;
    switch (shape.kind) {
      case "string":
      case "vector": {
        if (!this.ok(at, 4)) {
          return false;
        }
        const n = v.getUint32(at, true);
        return this.ok(at + 4, n * (shape.kind === "string" ? 1 : shape.elementSize));
      }
      case "tables": {
        if (!this.ok(at, 4)) {
          return false;
        }
        const n = v.getUint32(at, true);
        if (!this.ok(at + 4, n * 4)) {
          return false;
        }
        const of = shape.of();
        for (let i = 0; i < n; i++) {
          const slot = at + 4 + i * 4;
          if (!this.verify(slot + v.getUint32(slot, true), of, depth + 1)) {
            return false;
          }
        }
        return true;
      }
      case "union":
        return false;
      case "table": {
        if (!this.ok(at, 4)) {
          return false;
        }
        const vt = at - v.getInt32(at, true);
        if (!this.ok(vt, 4)) {
          return false;
        }
        const vtSize = v.getUint16(vt, true);
        const tableSize = v.getUint16(vt + 2, true);
        if (vtSize < 4 || vtSize % 2 !== 0 || !this.ok(vt, vtSize) || !this.ok(at, tableSize)) {
          return false;
        }
        const offsetOf = (index: number): number =>
          4 + index * 2 < vtSize ? v.getUint16(vt + 4 + index * 2, true) : 0;
        for (let i = 0; 4 + i * 2 < vtSize; i++) {
          if (offsetOf(i) >= tableSize && offsetOf(i) !== 0) {
            return false;
          }
        }
        for (const [key, child] of Object.entries(shape.fields)) {
          const off = offsetOf(Number(key));
          if (off === 0) {
            continue;
          }
          const slot = at + off;
          if (!this.ok(slot, 4)) {
            return false;
          }
          const target = slot + v.getUint32(slot, true);
          if (child.kind === "union") {
            const typeOff = offsetOf(child.typeField);
            const member = child.member(typeOff === 0 ? 0 : v.getUint8(at + typeOff));
            if (member === undefined || !this.verify(target, member, depth + 1)) {
              return false;
            }
          } else if (!this.verify(target, child, depth + 1)) {
            return false;
          }
        }
        return true;
      }
    }
  }
}

const fileMagic = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

/**
 * Checks an IPC stream or file: every message opens with the continuation marker (the pre-0.15
 * framing without it is refused; pyarrow has not written it since 2019), its metadata verifies and
 * its body lies inside the bytes; a file's footer and the blocks it lists do too.
 */
export function checkArrowIpc(bytes: Uint8Array, format: "file" | "stream"): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw invalidArgument(`invalid Arrow IPC ${format}: ${what}`);
  };
  /** Verifies the message at `pos`; returns where the next one starts, or undefined at end-of-stream. */
  const messageAt = (pos: number, end: number): number | undefined => {
    if (pos + 8 > end || view.getInt32(pos, true) !== -1) {
      return fail(`expected a message (continuation marker and length) at byte ${pos}`);
    }
    const length = view.getInt32(pos + 4, true);
    if (length === 0) {
      return undefined;
    }
    const meta = pos + 8;
    if (length < 0 || meta + length > end || !new Verifier(view, meta, meta + length).root(message)) {
      return fail(`invalid message metadata at byte ${pos}`);
    }
    const body = bodyLength(view, meta);
    if (body < 0 || meta + length + body > end) {
      return fail(`message at byte ${pos} has a body of ${body} bytes past the end`);
    }
    return meta + length + body;
  };
  if (format === "stream") {
    let pos: number | undefined = 0;
    while (pos !== undefined && pos < bytes.length) {
      pos = messageAt(pos, bytes.length);
    }
    return;
  }
  // Magic and padding (8 bytes), messages, then the footer, its int32 length and the magic (6).
  const tail = bytes.length - 6;
  if (bytes.length < 18 || !fileMagic.every((b, i) => bytes[tail + i] === b)) {
    fail("expected the ARROW1 magic at both ends");
  }
  const footerLength = view.getInt32(tail - 4, true);
  const footerStart = tail - 4 - footerLength;
  if (footerLength <= 0 || footerStart < 8 || !new Verifier(view, footerStart, tail - 4).root(footer)) {
    fail("invalid footer");
  }
  for (const block of footerBlocks(view, footerStart)) {
    if (block < 8 || block >= footerStart) {
      fail(`footer points at byte ${block}, outside the messages`);
    }
    messageAt(block, footerStart);
  }
}

/** Message.bodyLength (field 3); the table was verified, so its offsets are in bounds. */
function bodyLength(view: DataView, meta: number): number {
  const at = meta + view.getUint32(meta, true);
  const vt = at - view.getInt32(at, true);
  const off = view.getUint16(vt, true) > 10 ? view.getUint16(vt + 10, true) : 0;
  return off === 0 ? 0 : Number(view.getBigInt64(at + off, true));
}

/** The offsets of the record batch and dictionary blocks of a verified footer. */
function footerBlocks(view: DataView, start: number): number[] {
  const at = start + view.getUint32(start, true);
  const vt = at - view.getInt32(at, true);
  const vtSize = view.getUint16(vt, true);
  const offsets: number[] = [];
  for (const index of [2, 3]) {
    const off = 4 + index * 2 < vtSize ? view.getUint16(vt + 4 + index * 2, true) : 0;
    if (off === 0) {
      continue;
    }
    const vec = at + off + view.getUint32(at + off, true);
    const n = view.getUint32(vec, true);
    for (let i = 0; i < n; i++) {
      offsets.push(Number(view.getBigInt64(vec + 4 + i * 24, true)));
    }
  }
  return offsets;
}
