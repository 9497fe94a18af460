import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTensor, decodeArrowIpc, encodeArrowIpc, type Tensor } from "@tensorwire/codec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { createTabularClient } from "./tabular-client.js";
import { type ScriptedServer, sendJson, startScriptedServer } from "./testing/scripted-server.js";

// The tensorwire server does not serve Wallaroo-style pipelines yet: this one answers as the
// Wallaroo docs show (pandas records with time/in/out/check_failures/metadata; Arrow columns).

const time = 1701377058894;

function rowSums(t: Tensor): number[] {
  const [rows = 0, cols = 1] = t.shape;
  const data = t.data as Float32Array | Float64Array;
  return Array.from({ length: rows }, (_, r) =>
    Array.from(data.subarray(r * cols, (r + 1) * cols)).reduce((a, b) => a + b, 0),
  );
}

describe("tabular client (Wallaroo style)", () => {
  let server: ScriptedServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tensorwire-tabular-"));
    server = await startScriptedServer((req, res) => {
      if (req.headers["content-type"] === "application/vnd.apache.arrow.file") {
        const [input] = decodeArrowIpc(new Uint8Array(req.body));
        const tensor = input as Tensor;
        const rows = tensor.shape[0] ?? 0;
        const sums = rowSums(tensor);
        const body = encodeArrowIpc([
          createTensor({
            name: "time",
            datatype: "INT64",
            shape: [rows],
            data: new BigInt64Array(rows).fill(BigInt(time)),
          }),
          { ...tensor, name: "in.tensor" },
          createTensor({
            name: "out.dense_1",
            datatype: "FP32",
            shape: [rows, 1],
            data: Float32Array.from(sums),
          }),
          createTensor({ name: "anomaly.count", datatype: "INT8", shape: [rows], data: new Int8Array(rows) }),
        ]);
        res.writeHead(200, { "content-type": "application/vnd.apache.arrow.file" }).end(body);
        return;
      }
      const records = JSON.parse(req.body.toString()) as { tensor: number[] }[];
      if (records.some((r) => r.tensor[0] === -1)) {
        sendJson(res, 400, { error: "tensor: negative values are not allowed" });
        return;
      }
      sendJson(
        res,
        200,
        records.map((r) => ({
          time,
          in: { tensor: r.tensor },
          out: { dense_1: [r.tensor.reduce((a, b) => a + b, 0)] },
          check_failures: [],
          metadata: {
            last_model: '{"model_name":"m","model_sha":"abc"}',
            pipeline_version: "",
            elapsed: [53101, 318104],
          },
        })),
      );
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const table = [
    inferInput("tensor", [2, 3], "FP32", [
      [1, 2, 3],
      [4, 5, 6],
    ]),
  ];

  it("should send Arrow and read Arrow back", async () => {
    const client = createTabularClient(server.url);
    const result = await client.infer(table);
    expect(server.seen.at(-1)?.headers.accept).toBe("application/vnd.apache.arrow.file");
    expect(result.columns).toEqual(["time", "in.tensor", "out.dense_1", "anomaly.count"]);
    expect(result.rowCount).toBe(2);
    expect(Array.from(result.column("out.dense_1").data as Float32Array)).toEqual([6, 15]);
    expect(result.records).toBeUndefined();
    await client.close();
  });

  it("should send pandas records and filter the answer by dataset", async () => {
    const client = createTabularClient(server.url, { format: "pandas-records" });
    const byDefault = await client.infer(table);
    expect(server.seen.at(-1)?.headers["content-type"]).toBe("application/json; format=pandas-records");
    expect(JSON.parse(server.seen.at(-1)?.body.toString() ?? "")).toEqual([
      { tensor: [1, 2, 3] },
      { tensor: [4, 5, 6] },
    ]);
    expect(byDefault.columns).toEqual(["time", "in.tensor", "out.dense_1"]);
    expect(Array.from(byDefault.column("out.dense_1").data as Float64Array)).toEqual([6, 15]);
    expect(byDefault.column("out.dense_1").shape).toEqual([2, 1]);
    const withMetadata = await client.infer(table, { dataset: ["*", "metadata"], datasetExclude: ["in"] });
    expect(withMetadata.columns).toEqual([
      "time",
      "out.dense_1",
      "metadata.last_model",
      "metadata.pipeline_version",
      "metadata.elapsed",
    ]);
    expect(withMetadata.records?.[0]?.["metadata.elapsed"]).toEqual([53101, 318104]);
    expect(() => withMetadata.column("in.tensor")).toThrow(/no column 'in.tensor'/);
    await client.close();
  });

  it("should infer from an Arrow file and from a pandas-records JSON file", async () => {
    const arrowFile = join(dir, "input.arrow");
    writeFileSync(
      arrowFile,
      encodeArrowIpc([
        createTensor({ name: "tensor", datatype: "FP64", shape: [1, 2], data: new Float64Array([1, 1]) }),
      ]),
    );
    const jsonFile = join(dir, "input.df.json");
    writeFileSync(jsonFile, JSON.stringify([{ tensor: [2, 2] }]));
    const client = createTabularClient(server.url);
    expect(
      Array.from((await client.inferFromFile(arrowFile)).column("out.dense_1").data as Float32Array),
    ).toEqual([2]);
    expect((await client.inferFromFile(jsonFile)).records?.[0]?.["out.dense_1"]).toEqual([4]);
    await client.close();
  });

  it("should run tables in parallel, keeping input order and tying a failure to its table", async () => {
    const client = createTabularClient(server.url);
    const tables = [1, 2, -1, 4, 5].map((v) => ({ records: [{ tensor: [v, v] }] }));
    const outcomes = await client.parallelInfer(tables, { numParallel: 2, retries: 0, timeoutMs: 5000 });
    await client.close();
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true]);
    expect(outcomes.map((o) => (o.ok ? o.result.records?.[0]?.["out.dense_1"] : undefined))).toEqual([
      [2],
      [4],
      undefined,
      [8],
      [10],
    ]);
    const failed = outcomes[2];
    expect(failed?.ok === false && failed.error).toMatchObject({
      code: "invalid_argument",
      status: 400,
      serverMessage: "tensor: negative values are not allowed",
    });
  });
});
