/**
 * IEEE 754 binary16 conversions. FP16 tensors keep their bit patterns in a Uint16Array so that no
 * value changes on a round trip; these helpers convert to and from JavaScript numbers when a format
 * (or a caller) needs numbers.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The number an IEEE 754 binary16 bit pattern (an FP16 tensor element) stands for; exact.
 *
 * @example
 * halfToNumber(0x3c00); // 1
 */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) {
    return sign * fraction * 2 ** -24;
  }
  if (exponent === 0x1f) {
    return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  }
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The binary16 bit pattern nearest to a number: rounds to nearest, ties to even, as hardware
 * conversions do; overflow goes to infinity.
 *
 * @example
 * numberToHalf(0.1); // 0x2e66
 */
export function numberToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) {
    // NaN keeps a set quiet bit so it stays NaN after truncation.
    return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  }
  const e = exponent - 127 + 15;
  if (e >= 0x1f) {
    return sign | 0x7c00;
  }
  if (e <= 0) {
    if (e < -10) {
      return sign;
    }
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const roundUp = rest > midpoint || (rest === midpoint && (half & 1) === 1);
    return sign | (half + (roundUp ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  const roundUp = rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1);
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | (half + (roundUp ? 1 : 0));
}
