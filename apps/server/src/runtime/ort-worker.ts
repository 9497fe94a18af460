// The worker thread's side of `createInferenceWorkers`: holds ONNX Runtime sessions and runs them
// off the event loop. Self-contained (no relative imports) so that Node can run it from source
// under the test runner, by type stripping, as well as from dist.
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { createTensor, type Tensor } from "@tensorwire/codec";
import { tensorFromOrt, tensorToOrt } from "@tensorwire/codec/ort";
import { InferenceSession } from "onnxruntime-node";

type Request =
  | { readonly kind: "load"; readonly call: number; readonly id: number; readonly model: Uint8Array | string }
  | { readonly kind: "unload"; readonly call: number; readonly id: number }
  | {
      readonly kind: "run";
      readonly call: number;
      readonly id: number;
      readonly inputs: readonly WireTensor[];
      readonly outputs: readonly string[];
    };

interface WireTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: Tensor["data"];
}

const port = parentPort;
if (port === null) {
  throw new Error("ort-worker runs as a worker thread only");
}
const sessions = new Map<number, InferenceSession>();

const workerNice = 10;
lowerThreadPriority();

/**
 * Inference yields to the event loop: on Linux a thread id names one thread to setpriority(2), so
 * this thread (and the ORT threads it starts, which inherit the value) runs at nice 10 while the
 * event loop stays at 0. When they compete for a core, the scheduler then favours the loop, so
 * health checks and small requests are answered while a heavy model saturates the machine
 * (measured with a saturating model on two cores: health-check p99 4.1 and 6.3 ms against 5.4 and
 * 9.0 ms at nice 0, for 3-5% less throughput of that model). Elsewhere, or where the process may
 * not change it, the priority stays as it is.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isSafeInteger(tid) && tid > 0) {
      setPriority(tid, Math.max(getPriority(tid), workerNice));
    }
  } catch {
    // No /proc/thread-self (not Linux) or not permitted: run at the process's priority.
  }
}

port.on("message", (msg: Request) => {
  handle(msg).then(
    ({ value, transfer }) => {
      try {
        port.postMessage({ call: msg.call, ok: true, value }, transfer);
      } catch {
        // Buffers ONNX Runtime allocated outside V8 cannot be detached: send a copy instead.
        port.postMessage({ call: msg.call, ok: true, value });
      }
    },
    (err: unknown) =>
      port.postMessage({
        call: msg.call,
        ok: false,
        error: {
          message: err instanceof Error ? err.message : String(err),
          code: (err as { code?: unknown }).code,
        },
      }),
  );
});

// One thread per session: the pool's parallelism is its workers (one per core but one), and ORT's
// default per-session pool (a thread per core) in every worker would also take the core the event
// loop keeps (measured: health-check p99 under a saturating model ~8.8 → ~6.9 ms, and more
// throughput for the model itself, with one worker on two cores).
const workerSessionOptions: InferenceSession.SessionOptions = { intraOpNumThreads: 1 };

async function handle(msg: Request): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  switch (msg.kind) {
    case "load": {
      const session =
        typeof msg.model === "string"
          ? await InferenceSession.create(msg.model, workerSessionOptions)
          : await InferenceSession.create(msg.model, workerSessionOptions);
      sessions.set(msg.id, session);
      return { value: { inputs: session.inputMetadata, outputs: session.outputMetadata }, transfer: [] };
    }
    case "unload": {
      const session = sessions.get(msg.id);
      sessions.delete(msg.id);
      await session?.release();
      return { value: undefined, transfer: [] };
    }
    case "run": {
      const session = sessions.get(msg.id);
      if (session === undefined) {
        throw Object.assign(new Error("ONNX model is not loaded"), { code: "unavailable" });
      }
      const feeds: Record<string, ReturnType<typeof tensorToOrt>> = {};
      for (const t of msg.inputs) {
        feeds[t.name] = tensorToOrt(createTensor(t));
      }
      const results = await session.run(feeds, [...msg.outputs]);
      const transfer: ArrayBuffer[] = [];
      const outputs = msg.outputs.map((name) => {
        const ort = results[name];
        if (ort === undefined) {
          throw Object.assign(new Error(`ONNX Runtime returned no output '${name}'`), { code: "internal" });
        }
        const t = tensorFromOrt(name, ort);
        const data = t.data;
        if (
          ArrayBuffer.isView(data) &&
          data.buffer instanceof ArrayBuffer &&
          data.byteLength === data.buffer.byteLength
        ) {
          transfer.push(data.buffer);
        }
        return { name: t.name, datatype: t.datatype, shape: t.shape, data };
      });
      return { value: outputs, transfer };
    }
  }
}
