/**
 * A benchmark case: one operation on one payload. Cases that share a `group` are compared with each
 * other; `baseline` names the case in the same group whose speed the ratio is taken against.
 */
export interface BenchCase {
  /** Unique, e.g. "raw/decode/fp32-1MiB". */
  readonly name: string;
  /** Cases compared together, e.g. "raw-decode-1MiB". */
  readonly group: string;
  /** The case in this group to divide by; absent on the baseline itself. */
  readonly baseline?: string;
  /** The goal for this case's time relative to the baseline's, e.g. "<= 3x" — printed, never asserted. */
  readonly goal?: string;
  readonly fn: () => unknown;
}
