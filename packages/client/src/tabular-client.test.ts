import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTensor } from "@tensorwire/codec";
import { encodeArrowIpc } from "@tensorwire/codec/arrow";
import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { createTabularClient } from "./tabular-client.js";

// A Wallaroo pipeline on the tensorwire server is one model step named like the model: iris.

const setosa = [5.1, 3.5, 1.4, 0.2];
const versicolor = [6.8, 2.8, 4.8, 1.4];

let server: RunningServer;
let pipeline: string;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tensorwire-tabular-"));
  server = await startServer({ port: 0, logLevel: "silent" });
  pipeline = `${server.url}/pipelines/iris`;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const table = [inferInput("input", [2, 4], "FP32", [setosa, versicolor])];

describe("tabular client (Wallaroo pipelines on the tensorwire server)", () => {
  it("should send Arrow and read Arrow back", async () => {
    const client = createTabularClient(pipeline);
    const result = await client.infer(table);
    await client.close();
    expect(result.records).toBeUndefined();
    expect(result.rowCount).toBe(2);
    expect(result.columns).toEqual(["time", "in.input", "out.predict", "out.predict_proba", "anomaly.count"]);
    expect(Array.from(result.column("out.predict").data as BigInt64Array)).toEqual([0n, 1n]);
    expect(result.column("out.predict_proba")).toMatchObject({ datatype: "FP32", shape: [2, 3] });
    expect(result.column("in.input").datatype).toBe("FP32");
  });

  it("should send pandas records and filter the answer by dataset", async () => {
    const client = createTabularClient(pipeline, { format: "pandas-records" });
    const byDefault = await client.infer(table);
    expect(byDefault.columns).toEqual([
      "time",
      "in.input",
      "out.predict",
      "out.predict_proba",
      "anomaly.count",
    ]);
    expect(byDefault.records?.map((r) => r["out.predict"])).toEqual([0, 1]);
    expect(byDefault.column("out.predict_proba").shape).toEqual([2, 3]);
    const withMetadata = await client.infer(
      { records: [{ input: versicolor }] },
      { dataset: ["*", "metadata"], datasetExclude: ["in", "anomaly"] },
    );
    await client.close();
    expect(withMetadata.columns).toEqual([
      "time",
      "out.predict",
      "out.predict_proba",
      "metadata.last_model",
      "metadata.pipeline_version",
      "metadata.elapsed",
      "metadata.dropped",
      "metadata.partition",
    ]);
    expect(JSON.parse(String(withMetadata.records?.[0]?.["metadata.last_model"]))).toMatchObject({
      model_name: "iris",
    });
    expect(withMetadata.records?.[0]?.["metadata.elapsed"]).toHaveLength(2);
    expect(() => withMetadata.column("in.input")).toThrow(/no column 'in.input'/);
  });

  it("should infer from an Arrow file and from a pandas-records JSON file", async () => {
    const arrowFile = join(dir, "input.arrow");
    writeFileSync(
      arrowFile,
      encodeArrowIpc([
        createTensor({ name: "input", datatype: "FP32", shape: [1, 4], data: Float32Array.from(versicolor) }),
      ]),
    );
    const jsonFile = join(dir, "input.df.json");
    writeFileSync(jsonFile, JSON.stringify([{ input: setosa }, { input: versicolor }]));
    const client = createTabularClient(pipeline);
    const fromArrow = await client.inferFromFile(arrowFile);
    const fromJson = await client.inferFromFile(jsonFile);
    await client.close();
    expect(fromArrow.records).toBeUndefined();
    expect(Array.from(fromArrow.column("out.predict").data as BigInt64Array)).toEqual([1n]);
    expect(fromJson.records?.map((r) => r["out.predict"])).toEqual([0, 1]);
  });

  it("should run tables in parallel, keeping input order and tying a failure to its table", async () => {
    const client = createTabularClient(pipeline);
    const rows = [setosa, versicolor, [5.1, 3.5, 1.4], setosa, versicolor];
    const outcomes = await client.parallelInfer(
      rows.map((input) => ({ records: [{ input }] })),
      { numParallel: 2, retries: 0, timeoutMs: 5000 },
    );
    await client.close();
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true]);
    expect(outcomes.map((o) => (o.ok ? o.result.records?.[0]?.["out.predict"] : undefined))).toEqual([
      0,
      1,
      undefined,
      0,
      1,
    ]);
    const failed = outcomes[2];
    expect(failed?.ok === false && failed.error).toMatchObject({
      code: "invalid_argument",
      status: 400,
      serverMessage: expect.stringContaining("expected shape [-1,4]"),
    });
  });

  it("should report an unknown pipeline as not found", async () => {
    const client = createTabularClient(`${server.url}/pipelines/nope`);
    await expect(client.infer(table)).rejects.toMatchObject({ code: "not_found", status: 404 });
    await client.close();
  });
});
