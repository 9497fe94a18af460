/**
 * Joins a body that arrived in chunks into one buffer placed so that byte `alignAt` of the body
 * sits at an 8-byte aligned address: the copy is needed anyway, and tensor data starting there can
 * then be viewed as a typed array instead of being copied a second time.
 */
export function joinAligned(chunks: readonly Uint8Array[], total: number, alignAt: number): Buffer {
  const pad = (8 - (alignAt % 8)) % 8;
  // allocUnsafeSlow: an ArrayBuffer of its own, starting at an 8-byte aligned address (not the pool).
  const out = Buffer.allocUnsafeSlow(pad + total).subarray(pad);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
