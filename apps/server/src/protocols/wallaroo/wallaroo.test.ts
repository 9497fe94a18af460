import { createTensor, type Datatype, datatypes, type Tensor } from "@tensorwire/codec";
import { decodeArrowIpc, encodeArrowIpc } from "@tensorwire/codec/arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";
import { datatypeSamples } from "../testing/datatype-samples.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely; the assertions check their shape.
type Body = any;
const json = (res: Response): Promise<Body> => res.json() as Promise<Body>;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    zoo: true,
    maxInputSize: 4096,
    models: [
      {
        name: "guard",
        config: {
          runtime: "echo",
          inputs: [{ name: "x", datatype: "FP32", shape: [-1, -1] }],
          rename: { x: "y" },
          validations: [
            { name: "too_high", column: "out.y", op: ">", value: 10 },
            { name: "negative", column: "in.x", op: "<", value: 0 },
          ],
        },
      },
    ],
  });
});
afterAll(() => server.close());

const pandas = "application/json; format=pandas-records";
const arrow = "application/vnd.apache.arrow.file";
const fraudRow = Array.from({ length: 29 }, (_, i) => (i % 7) / 10 - 0.3);

function post(path: string, body: string | Uint8Array | object, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": pandas, ...headers },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

describe("Wallaroo pipeline inference", () => {
  it("should answer ccfraud's tensor/dense_1 columns, taking float64 Arrow as pandas writes it", async () => {
    const records = await post("/pipelines/ccfraud", [{ tensor: fraudRow }]);
    expect(records.status).toBe(200);
    const [row] = await json(records);
    expect(row.out.dense_1).toEqual([expect.any(Number)]);
    const float64 = createTensor({
      name: "tensor",
      datatype: "FP64",
      shape: [2, 29],
      data: Float64Array.from([...fraudRow, ...fraudRow]),
    });
    const res = await post("/v1/api/pipelines/infer/ccfraud-1/ccfraud", encodeArrowIpc([float64]), {
      "content-type": arrow,
    });
    expect(res.status).toBe(200);
    const columns = decodeArrowIpc(new Uint8Array(await res.arrayBuffer()));
    const dense = columns.find((t) => t.name === "out.dense_1");
    expect(dense).toMatchObject({ datatype: "FP32", shape: [2, 1] });
    expect(dense?.data[0]).toBeCloseTo(row.out.dense_1[0], 6);
  });

  it("should answer the MLOps call for a pipeline's inference URL with this server's deployment path", async () => {
    const res = await post(
      "/v1/api/admin/get_pipeline_external_url",
      { workspace_id: 5, pipeline_name: "ccfraud" },
      { "content-type": "application/json" },
    );
    expect(res.status).toBe(200);
    const { url } = await json(res);
    expect(url).toBe(`${server.url}/v1/api/pipelines/infer/ccfraud-1/ccfraud`);
    const unknown = await post(
      "/v1/api/admin/get_pipeline_external_url",
      { workspace_id: 5, pipeline_name: "nope" },
      { "content-type": "application/json" },
    );
    expect(unknown.status).toBe(404);
    const missing = await post(
      "/v1/api/admin/get_pipeline_external_url",
      {},
      { "content-type": "application/json" },
    );
    expect(missing.status).toBe(400);
  });

  it("should answer the tutorial's pandas-records request in Wallaroo's JSON form", async () => {
    const before = Date.now();
    const res = await post("/pipelines/fraud", [{ input: fraudRow }]);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(pandas);
    const [row, ...rest] = await json(res);
    expect(rest).toEqual([]);
    expect(row.time).toBeGreaterThanOrEqual(before);
    expect(row.in.input).toHaveLength(29);
    expect(row.out.probability).toEqual([expect.any(Number)]);
    expect(row.check_failures).toEqual([]);
    expect(row.anomaly).toEqual({ count: 0 });
    expect(JSON.parse(row.metadata.last_model)).toEqual({ model_name: "fraud", model_sha: "" });
    expect(row.metadata.elapsed).toEqual([expect.any(Number), expect.any(Number)]);
    expect(row.metadata).toMatchObject({ pipeline_version: "1", dropped: [], partition: expect.any(String) });
  });

  it("should serve the Ops deployment URL", async () => {
    const res = await post("/v1/api/pipelines/infer/fraud-260/fraud", [
      { input: fraudRow },
      { input: fraudRow },
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toHaveLength(2);
  });

  it("should answer an Arrow file with an Arrow file (groups as Struct columns, read back flat)", async () => {
    const input = createTensor({
      name: "input",
      datatype: "FP32",
      shape: [2, 29],
      data: Float32Array.from([...fraudRow, ...fraudRow]),
    });
    const res = await post("/pipelines/fraud", encodeArrowIpc([input]), {
      "content-type": arrow,
      accept: arrow,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(arrow);
    const columns = decodeArrowIpc(new Uint8Array(await res.arrayBuffer()));
    const byName = new Map(columns.map((c) => [c.name, c]));
    expect([...byName.keys()]).toEqual([
      "time",
      "in.input",
      "out.probability",
      "check_failures",
      "anomaly.count",
      "metadata.last_model",
      "metadata.pipeline_version",
      "metadata.elapsed",
      "metadata.dropped",
      "metadata.partition",
    ]);
    expect(byName.get("out.probability")?.shape).toEqual([2, 1]);
    expect(byName.get("anomaly.count")?.datatype).toBe("INT8");
    expect(byName.get("metadata.elapsed")).toMatchObject({ datatype: "UINT64", shape: [2, 2] });
  });

  it("should answer JSON to an Arrow request that accepts JSON", async () => {
    const input = createTensor({
      name: "input",
      datatype: "FP32",
      shape: [1, 29],
      data: Float32Array.from(fraudRow),
    });
    const res = await post("/pipelines/fraud", encodeArrowIpc([input]), {
      "content-type": arrow,
      accept: pandas,
    });
    expect(res.headers.get("content-type")).toBe(pandas);
    expect((await json(res))[0].out.probability).toHaveLength(1);
  });

  it("should evaluate validations per row into anomaly.count and anomaly.<name>", async () => {
    const res = await post("/pipelines/guard?dataset=anomaly", [
      { x: [1, 2] },
      { x: [11, 0] },
      { x: [-1, 20] },
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual([
      { anomaly: { count: 0, too_high: false, negative: false } },
      { anomaly: { count: 1, too_high: true, negative: false } },
      { anomaly: { count: 2, too_high: true, negative: true } },
    ]);
  });

  it("should honour dataset, dataset_exclude and dataset_separator", async () => {
    const rows = [{ x: [1, 2] }];
    const only = await json(await post("/pipelines/guard?dataset=time&dataset=out", rows));
    expect(Object.keys(only[0])).toEqual(["time", "out"]);
    const flat = await json(
      await post("/pipelines/guard?dataset=*,metadata.elapsed&dataset_separator=.", rows),
    );
    expect(Object.keys(flat[0])).toEqual([
      "time",
      "in.x",
      "out.y",
      "check_failures",
      "anomaly.count",
      "anomaly.too_high",
      "anomaly.negative",
      "metadata.elapsed",
    ]);
    const sdkStyle = await json(
      await post(
        "/pipelines/guard?dataset[]=in&dataset[]=anomaly&dataset.exclude[]=anomaly.negative&dataset.separator=_",
        rows,
      ),
    );
    expect(sdkStyle).toEqual([{ in_x: [1, 2], anomaly_count: 0, anomaly_too_high: false }]);
  });

  it.each(datatypes)("should carry %s through identity in pandas records and Arrow", async (datatype) => {
    const path = `/pipelines/identity_${datatype.toLowerCase()}?dataset=out`;
    const values = datatypeSamples[datatype];
    const records = await post(path, [{ INPUT0: values }]);
    expect(records.status).toBe(200);
    expect(await json(records)).toEqual([{ out: { OUTPUT0: values } }]);
    const tensor = arrowSample(datatype);
    const res = await post(path, encodeArrowIpc([tensor]), { "content-type": arrow, accept: arrow });
    expect(res.status).toBe(200);
    const [out] = decodeArrowIpc(new Uint8Array(await res.arrayBuffer()));
    expect(out).toMatchObject({ name: "out.OUTPUT0", datatype, shape: [1, 2], data: tensor.data });
  });

  it("should list pipelines and models as the edge endpoints do", async () => {
    const { pipelines } = await json(await fetch(`${server.url}/pipelines`));
    expect(pipelines).toContainEqual({ id: "fraud", status: "Running" });
    const { models } = await json(await fetch(`${server.url}/models`));
    expect(models).toContainEqual({ name: "iris", sha: "", status: "Running", version: "1" });
  });

  it.each([
    ["malformed JSON", "/pipelines/fraud", "[{", {}, 400],
    ["a wrong content type", "/pipelines/fraud", "a,b\n1,2", { "content-type": "text/csv" }, 400],
    [
      "another JSON format",
      "/pipelines/fraud",
      "[]",
      { "content-type": "application/json; format=split" },
      400,
    ],
    ["an unknown pipeline", "/pipelines/nope", JSON.stringify([{ input: fraudRow }]), {}, 404],
    ["a wrong shape", "/pipelines/fraud", JSON.stringify([{ input: [1, 2] }]), {}, 400],
    ["an unknown column", "/pipelines/fraud", JSON.stringify([{ tensor: fraudRow }]), {}, 400],
    ["a bad dataset", "/pipelines/fraud?dataset=outputs", JSON.stringify([{ input: fraudRow }]), {}, 400],
    ["malformed Arrow", "/pipelines/fraud", "ARROW1\0\0garbage", { "content-type": arrow }, 400],
    ["an oversized body", "/pipelines/fraud", JSON.stringify([{ input: new Array(3000).fill(1) }]), {}, 413],
  ])("should answer %s with {error} and a 4xx", async (_, path, body, headers, status) => {
    const res = await post(path, body, headers);
    expect(res.status).toBe(status);
    expect(await json(res)).toEqual({ error: expect.any(String) });
  });

  it("should refuse a validation named count at start-up", async () => {
    await expect(
      startServer({
        models: [
          {
            name: "bad",
            config: {
              runtime: "echo",
              inputs: [{ name: "x", datatype: "FP32", shape: [-1] }],
              validations: [{ name: "count", column: "out.x", op: ">", value: 1 }],
            },
          },
        ],
      }),
    ).rejects.toThrow(/validations\[0\]\.name/);
  });
});

/** The same values as an Arrow-ready tensor of shape [1, 2]. */
function arrowSample(datatype: Datatype): Tensor {
  const values = datatypeSamples[datatype];
  const shape = [1, 2];
  switch (datatype) {
    case "BOOL":
      return createTensor({
        name: "INPUT0",
        datatype,
        shape,
        data: Uint8Array.from(values as boolean[], Number),
      });
    case "BYTES":
      return createTensor({
        name: "INPUT0",
        datatype,
        shape,
        data: (values as string[]).map((s) => new TextEncoder().encode(s)),
      });
    case "INT64":
      return createTensor({
        name: "INPUT0",
        datatype,
        shape,
        data: BigInt64Array.from(values as number[], BigInt),
      });
    case "UINT64":
      return createTensor({
        name: "INPUT0",
        datatype,
        shape,
        data: BigUint64Array.from(values as number[], BigInt),
      });
    case "FP16":
      // 0.5 and -2 as IEEE half bit patterns.
      return createTensor({ name: "INPUT0", datatype, shape, data: Uint16Array.of(0x3800, 0xc000) });
    default: {
      const TypedArray = {
        UINT8: Uint8Array,
        UINT16: Uint16Array,
        UINT32: Uint32Array,
        INT8: Int8Array,
        INT16: Int16Array,
        INT32: Int32Array,
        FP32: Float32Array,
        FP64: Float64Array,
      }[datatype];
      return createTensor({ name: "INPUT0", datatype, shape, data: TypedArray.from(values as number[]) });
    }
  }
}
