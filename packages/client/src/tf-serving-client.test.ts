import type { TfServingMessage } from "@tensorwire/codec/tf-serving";
import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { type ScriptedServer, sendJson, startScriptedServer } from "./testing/scripted-server.js";
import { createTfServingClient } from "./tf-serving-client.js";

const setosa = [5.1, 3.5, 1.4, 0.2];
const versicolor = [6.8, 2.8, 4.8, 1.4];

function output(message: TfServingMessage, name: string) {
  const tensor = message.tensors.find((t) => t.name === name);
  if (tensor === undefined) {
    throw new Error(`no output ${name}: ${message.tensors.map((t) => t.name).join(", ")}`);
  }
  return tensor;
}

let server: RunningServer;
// In tfserving mode the shared paths are TF-Serving's only, so plain `instances` keep its tokens.
let tfOnly: RunningServer;
beforeAll(async () => {
  [server, tfOnly] = await Promise.all([
    startServer({ port: 0, logLevel: "silent" }),
    startServer({ port: 0, logLevel: "silent", v1Dialect: "tfserving" }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), tfOnly.close()]);
});

describe("TF-Serving client (tensorwire server)", () => {
  it("should predict in columnar form (default) at a version, reading named outputs", async () => {
    const client = createTfServingClient(server.url);
    const answer = await client.predict("iris", [inferInput("input", [2, 4], "FP32", [setosa, versicolor])], {
      version: 1,
    });
    await client.close();
    expect(answer.format).toBe("columnar");
    expect(Array.from(output(answer, "predict").data as ArrayLike<number>)).toEqual([0, 1]);
    expect(output(answer, "predict_proba").shape).toEqual([2, 3]);
  });

  it("should predict in row form with a signature", async () => {
    const client = createTfServingClient(server.url);
    const answer = await client.predict("iris", [inferInput("input", [2, 4], "FP32", [versicolor, setosa])], {
      format: "row",
      signatureName: "serving_default",
      outputMetadata: [
        { name: "predict", datatype: "INT64", shape: [-1] },
        { name: "predict_proba", datatype: "FP32", shape: [-1, 3] },
      ],
    });
    await client.close();
    expect(answer.format).toBe("row");
    expect(Array.from(output(answer, "predict").data as BigInt64Array)).toEqual([1n, 0n]);
    expect(output(answer, "predict_proba").datatype).toBe("FP32");
  });

  it("should read NaN and Infinity tokens back", async () => {
    for (const [url, format] of [
      [server.url, "columnar"],
      [tfOnly.url, "row"],
    ] as const) {
      const client = createTfServingClient(url);
      const answer = await client.predict(
        "identity_fp32",
        [inferInput("INPUT0", [1, 3], "FP32", [[Number.NaN, Number.POSITIVE_INFINITY, 1]])],
        { format },
      );
      await client.close();
      const data = Array.from(answer.tensors[0]?.data as ArrayLike<number>);
      expect([format, Number.isNaN(data[0]), data.slice(1)]).toEqual([
        format,
        true,
        [Number.POSITIVE_INFINITY, 1],
      ]);
    }
  });

  it("should keep INT64 beyond 2^53 exact when the output is declared INT64", async () => {
    const client = createTfServingClient(server.url);
    const big = new BigInt64Array([9007199254740993n, -9007199254740993n]);
    const answer = await client.predict("identity_int64", [inferInput("INPUT0", [1, 2], "INT64", big)], {
      outputMetadata: [{ name: "OUTPUT0", datatype: "INT64", shape: [-1, -1] }],
    });
    await client.close();
    expect(Array.from(output(answer, "OUTPUT0").data as BigInt64Array)).toEqual(Array.from(big));
  });

  it("should send BYTES as b64 and read them back", async () => {
    const client = createTfServingClient(server.url);
    const bytes = new Uint8Array([0xff, 0x00, 0x80]);
    const answer = await client.predict("identity_bytes", [inferInput("INPUT0", [1, 1], "BYTES", [[bytes]])]);
    await client.close();
    const [back] = answer.tensors;
    expect(back?.datatype).toBe("BYTES");
    expect(Array.from(back?.data[0] as Uint8Array)).toEqual([0xff, 0x00, 0x80]);
  });

  it("should classify with iris' probabilities and regress with fraud's", async () => {
    const client = createTfServingClient(server.url);
    const classes = await client.classify("iris", [{ input: setosa }, { input: versicolor }]);
    expect(classes.map((c) => c.map(([label]) => label))).toEqual([
      ["0", "1", "2"],
      ["0", "1", "2"],
    ]);
    expect(classes[0]?.[0]?.[1]).toBeGreaterThan(0.9);
    expect(classes[1]?.[1]?.[1]).toBeGreaterThan(0.9);
    const fromContext = await client.classify("iris", [{}], { context: { input: versicolor } });
    expect(fromContext).toEqual([classes[1]]);
    const features = Array.from({ length: 29 }, () => 0.1);
    const values = await client.regress("fraud", [{ input: features }, { input: features }]);
    expect(values).toHaveLength(2);
    expect(values[0]).toBeGreaterThanOrEqual(0);
    expect(values[0]).toBeLessThanOrEqual(1);
    expect(values[1]).toBe(values[0]);
    await expect(client.regress("iris", [{ input: setosa }])).rejects.toMatchObject({
      code: "invalid_argument",
      status: 400,
      serverMessage: expect.stringContaining("regress"),
    });
    await client.close();
  });

  it("should read a model's version status", async () => {
    const client = createTfServingClient(server.url);
    const expected = { model_version_status: [{ version: "1", state: "AVAILABLE" }] };
    expect(await client.modelStatus("iris")).toMatchObject(expected);
    expect(await client.modelStatus("iris", { version: 1 })).toMatchObject(expected);
    await client.close();
  });

  it("should report TF-Serving's errors", async () => {
    const client = createTfServingClient(server.url);
    const input = [inferInput("input", [1, 4], "FP32", [setosa])];
    await expect(client.predict("nope", input)).rejects.toMatchObject({ code: "not_found", status: 404 });
    await expect(client.predict("iris", input, { label: "stable" })).rejects.toMatchObject({
      code: "invalid_argument",
      status: 400,
      serverMessage: expect.stringContaining("stable"),
    });
    await expect(client.predict("iris", input, { signatureName: "other" })).rejects.toMatchObject({
      status: 400,
    });
    await expect(client.predict("iris", input, { version: 1, label: "x" })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await client.close();
  });
});

// Stand-in: no zoo model takes bytes features and has a float output, and the server answers
// regress under "result" only, while api_rest.md's own example prints "results".
describe('TF-Serving client (stand-in: b64 example features, the "results" key)', () => {
  let scripted: ScriptedServer;
  beforeAll(async () => {
    scripted = await startScriptedServer((req, res) => {
      if (req.url.endsWith(":regress")) {
        sendJson(res, 200, { results: [3.5, 4.0] });
      } else {
        sendJson(res, 200, { result: [[["cat", 0.9]]] });
      }
    });
  });
  afterAll(() => scripted.close());

  it('should write bytes features as b64 and accept "results"', async () => {
    const client = createTfServingClient(scripted.url);
    expect(await client.classify("m", [{ photo: new Uint8Array([0xff, 0x00]), size: 3 }])).toEqual([
      [["cat", 0.9]],
    ]);
    expect(JSON.parse(scripted.seen.at(-1)?.body.toString() ?? "")).toEqual({
      examples: [{ photo: { b64: "/wA=" }, size: 3 }],
    });
    expect(await client.regress("m", [{ x: 1 }, { x: 2 }])).toEqual([3.5, 4]);
    await client.close();
  });
});
