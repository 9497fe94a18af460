/**
 * V8 flags the `tensorwire` command runs the server with; the benchmarks start their server with
 * the same list. Each request with large tensors allocates megabytes outside the JS heap (socket
 * reads, the joined body, ONNX Runtime's outputs). By default V8 starts a full mark-compact every
 * 64 MiB of such memory, about every 20 requests of 1 MiB, and each one marks the whole heap.
 * Counted in the global limit, with a 128 MiB initial heap, those short-lived buffers are freed by
 * scavenges instead. Measured with 1 MiB FP32 through identity_fp32, 3,000 requests each way:
 * about 140 mark-compacts became none, and throughput rose 1.5–2×, with the same idle RSS.
 */
export const serverNodeFlags: readonly string[] = [
  "--external-memory-accounted-in-global-limit",
  "--initial-heap-size=128",
];
