import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { type ScriptedServer, sendJson, startScriptedServer } from "./testing/scripted-server.js";
import { createTfServingClient } from "./tf-serving-client.js";

// The tensorwire server does not serve TF-Serving's API yet: this one answers with api_rest.md's shapes.

describe("TF-Serving client", () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer((req, res) => {
      const body = req.body.length === 0 ? {} : (JSON.parse(req.body.toString()) as Record<string, unknown>);
      if (req.url === "/v1/models/half:predict") {
        sendJson(res, 404, { error: "Servable not found for request: Latest(half)" });
      } else if (req.url.endsWith(":predict") && "instances" in body) {
        sendJson(res, 200, { predictions: [[1.5], [2.5]] });
      } else if (req.url.endsWith(":predict")) {
        // Bare NaN/Infinity tokens, as TF-Serving writes non-finite floats.
        res.writeHead(200, { "content-type": "application/json" }).end('{"outputs": [[NaN, Infinity]]}');
      } else if (req.url.endsWith(":classify")) {
        sendJson(res, 200, {
          result: [
            [
              ["cat", 0.9],
              ["dog", 0.1],
            ],
          ],
        });
      } else if (req.url.endsWith(":regress")) {
        sendJson(res, 200, { results: [3.5, 4.0] });
      } else {
        sendJson(res, 200, {
          model_version_status: [{ version: "2", state: "AVAILABLE", status: { error_code: "OK" } }],
        });
      }
    });
  });
  afterAll(() => server.close());

  it("should predict in columnar form (default), reading NaN and Infinity tokens", async () => {
    const client = createTfServingClient(server.url);
    const answer = await client.predict("m", [inferInput("x", [1, 2], "FP32", [[1, 2]])], { version: 2 });
    expect(server.seen.at(-1)?.url).toBe("/v1/models/m/versions/2:predict");
    expect(JSON.parse(server.seen.at(-1)?.body.toString() ?? "")).toEqual({ inputs: [[1, 2]] });
    expect(answer.format).toBe("columnar");
    const data = answer.tensors[0]?.data as Float64Array;
    expect(Number.isNaN(data[0])).toBe(true);
    expect(data[1]).toBe(Number.POSITIVE_INFINITY);
    await client.close();
  });

  it("should predict in row form with a signature and a label", async () => {
    const client = createTfServingClient(server.url);
    const answer = await client.predict("m", [inferInput("x", [2, 1], "FP32", [[1], [2]])], {
      format: "row",
      signatureName: "serving_default",
      label: "stable",
    });
    expect(server.seen.at(-1)?.url).toBe("/v1/models/m/labels/stable:predict");
    expect(JSON.parse(server.seen.at(-1)?.body.toString() ?? "")).toEqual({
      signature_name: "serving_default",
      instances: [[1], [2]],
    });
    expect(answer.format).toBe("row");
    expect(Array.from(answer.tensors[0]?.data as Float64Array)).toEqual([1.5, 2.5]);
    await client.close();
  });

  it("should classify and regress examples, sending bytes as b64", async () => {
    const client = createTfServingClient(server.url);
    const classes = await client.classify("m", [{ photo: new Uint8Array([0xff, 0x00]), size: 3 }], {
      context: { country: "fr" },
    });
    expect(JSON.parse(server.seen.at(-1)?.body.toString() ?? "")).toEqual({
      context: { country: "fr" },
      examples: [{ photo: { b64: "/wA=" }, size: 3 }],
    });
    expect(classes).toEqual([
      [
        ["cat", 0.9],
        ["dog", 0.1],
      ],
    ]);
    expect(await client.regress("m", [{ x: 1 }, { x: 2 }])).toEqual([3.5, 4]);
    expect(await client.modelStatus("m")).toMatchObject({ model_version_status: [{ state: "AVAILABLE" }] });
    await client.close();
  });

  it("should report TF-Serving's error", async () => {
    const client = createTfServingClient(server.url);
    await expect(client.predict("half", [inferInput("x", [1], "FP32", [1])])).rejects.toMatchObject({
      code: "not_found",
      status: 404,
      serverMessage: "Servable not found for request: Latest(half)",
    });
    await client.close();
  });
});
