import { createConnectTransport } from "@connectrpc/connect-node";
import type { SeldonPayload } from "@tensorwire/codec/seldon-v1";
import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { createSeldonV1Client } from "./seldon-v1-client.js";

// The server picks iris when no model is named (several are served): the answer is its last
// output, predict_proba, in the request's encoding, with columns t:0..t:2.

const setosa = [5.1, 3.5, 1.4, 0.2];
const versicolor = [6.8, 2.8, 4.8, 1.4];

function probabilities(payload: SeldonPayload): number[] {
  if (payload.kind !== "data") {
    throw new Error(`expected data, got ${payload.kind}`);
  }
  return Array.from(payload.tensor.data as ArrayLike<number>);
}

/** The index of the largest probability in each row of 3. */
function classes(payload: SeldonPayload): number[] {
  const p = probabilities(payload);
  return Array.from({ length: p.length / 3 }, (_, r) => {
    const row = p.slice(3 * r, 3 * r + 3);
    return row.indexOf(Math.max(...row));
  });
}

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, logLevel: "silent" });
});
afterAll(() => server.close());

describe("Seldon v1 REST client, external (executor) endpoint", () => {
  it("should predict iris with an ndarray, carrying meta.puid and tags both ways", async () => {
    const client = createSeldonV1Client(server.url);
    const answer = await client.predict(inferInput("input", [2, 4], "FP64", [setosa, versicolor]), {
      names: ["sepal_length", "sepal_width", "petal_length", "petal_width"],
      meta: { puid: "puid-1", tags: { k: "v" } },
    });
    await client.close();
    expect(answer.payload).toMatchObject({ kind: "data", encoding: "ndarray", names: ["t:0", "t:1", "t:2"] });
    expect(answer.payload.kind === "data" && answer.payload.tensor.shape).toEqual([2, 3]);
    expect(classes(answer.payload)).toEqual([0, 1]);
    expect(answer.puid).toBe("puid-1");
    expect(answer.meta).toMatchObject({
      puid: "puid-1",
      tags: { k: "v" },
      requestPath: { iris: expect.any(String) },
    });
  });

  it("should predict with a tensor payload, the puid taken from x-request-id", async () => {
    const client = createSeldonV1Client(server.url, { headers: { "x-request-id": "rid-7" } });
    const answer = await client.predict(inferInput("input", [1, 4], "FP64", [versicolor]), {
      encoding: "tensor",
    });
    await client.close();
    expect(answer.payload).toMatchObject({ kind: "data", encoding: "tensor" });
    expect(classes(answer.payload)).toEqual([1]);
    expect(answer.puid).toBe("rid-7");
  });

  it("should reach the model named by the ingress prefix", async () => {
    const client = createSeldonV1Client(`${server.url}/seldon/ns/constant`);
    const answer = await client.predict(inferInput("INPUT0", [1, 2], "FP64", [[1, 2]]));
    await client.close();
    expect(answer.meta).toMatchObject({ requestPath: { constant: expect.any(String) } });
    expect(probabilities(answer.payload).map((v) => Math.round(v * 10) / 10)).toEqual([0.1, 0.2, 0.7]);
    expect(answer.puid).toMatch(/^\S+$/);
  });

  it("should report Seldon's error status with the request's id", async () => {
    const client = createSeldonV1Client(server.url, { headers: { "x-request-id": "rid-err" } });
    const err = await client
      .predict(inferInput("input", [1, 3], "FP64", [[1, 2, 3]]))
      .catch((e: unknown) => e);
    await client.close();
    expect(err).toMatchObject({
      code: "invalid_argument",
      status: 400,
      serverMessage: expect.stringMatching(/^MICROSERVICE_BAD_DATA: .*expected shape \[-1,4\]/),
      requestId: "rid-err",
    });
  });
});

describe("Seldon v1 REST client, internal (microservice) endpoint", () => {
  it("should call /predict with an ndarray and a tensor", async () => {
    const client = createSeldonV1Client(server.url, { endpoint: "internal" });
    const ndarray = await client.predict(inferInput("input", [1, 4], "FP64", [setosa]));
    const tensor = await client.predict(inferInput("input", [1, 4], "FP64", [versicolor]), {
      encoding: "tensor",
      meta: { puid: "puid-2" },
    });
    await client.close();
    expect(ndarray.payload).toMatchObject({ kind: "data", encoding: "ndarray" });
    expect(classes(ndarray.payload)).toEqual([0]);
    expect(tensor.payload).toMatchObject({ kind: "data", encoding: "tensor" });
    expect(classes(tensor.payload)).toEqual([1]);
    expect(tensor.puid).toBe("puid-2");
  });

  it("should pass strData through the echo model named by the seldon-model header", async () => {
    const client = createSeldonV1Client(server.url, {
      endpoint: "internal",
      headers: { "seldon-model": "echo" },
    });
    const answer = await client.predict({ kind: "strData", value: "hello" });
    await client.close();
    expect(answer.payload).toEqual({ kind: "strData", value: "hello" });
    expect(answer.meta).toMatchObject({ requestPath: { echo: expect.any(String) } });
    const iris = createSeldonV1Client(server.url, { endpoint: "internal" });
    await expect(iris.predict({ kind: "strData", value: "hello" })).rejects.toMatchObject({
      code: "invalid_argument",
      status: 400,
    });
    await iris.close();
  });
});

describe.each(["grpc", "connect", "grpc-web"] as const)(
  "Seldon v1 client over %s (seldon.protos.Seldon/Predict)",
  (protocol) => {
    it("should predict iris with an ndarray, meta.puid coming back", async () => {
      const client = createSeldonV1Client(server.url, { protocol });
      const answer = await client.predict(inferInput("input", [2, 4], "FP64", [versicolor, setosa]), {
        meta: { puid: "g-1", tags: { run: "grpc" } },
      });
      await client.close();
      expect(answer.payload).toMatchObject({
        kind: "data",
        encoding: "ndarray",
        names: ["t:0", "t:1", "t:2"],
      });
      expect(classes(answer.payload)).toEqual([1, 0]);
      expect(answer.puid).toBe("g-1");
      expect(answer.meta).toMatchObject({ tags: { run: "grpc" } });
    });

    it("should predict with tensor and tftensor payloads", async () => {
      const client = createSeldonV1Client(server.url, { protocol, headers: { "x-request-id": "g-rid" } });
      const tensor = await client.predict(inferInput("input", [1, 4], "FP64", [setosa]), {
        encoding: "tensor",
      });
      const tftensor = await client.predict(inferInput("input", [1, 4], "FP32", [versicolor]), {
        encoding: "tftensor",
      });
      await client.close();
      expect(tensor.payload).toMatchObject({ kind: "data", encoding: "tensor" });
      expect(classes(tensor.payload)).toEqual([0]);
      expect(tftensor.payload).toMatchObject({ kind: "data", encoding: "tftensor" });
      expect(tftensor.payload.kind === "data" && tftensor.payload.tensor.datatype).toBe("FP32");
      expect(classes(tftensor.payload)).toEqual([1]);
      expect(tensor.puid).toBe("g-rid");
    });

    it("should reach the model named by seldon-model metadata (echo passes strData through)", async () => {
      const client = createSeldonV1Client(server.url, { protocol, headers: { "seldon-model": "echo" } });
      const answer = await client.predict({ kind: "strData", value: "hello" }, { meta: { puid: "g-2" } });
      await client.close();
      expect(answer.payload).toEqual({ kind: "strData", value: "hello" });
      expect(answer.puid).toBe("g-2");
      expect(answer.meta).toMatchObject({ requestPath: { echo: expect.any(String) } });
    });

    it("should report a bad input as INVALID_ARGUMENT", async () => {
      const client = createSeldonV1Client(server.url, { protocol });
      await expect(client.predict(inferInput("input", [1, 3], "FP64", [[1, 2, 3]]))).rejects.toMatchObject({
        code: "invalid_argument",
        status: 3,
      });
      await client.close();
    });
  },
);

describe("Seldon v1 client on the caller's own Connect transport", () => {
  it("should predict through it, its protocol being the transport's", async () => {
    const transport = createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" });
    const client = createSeldonV1Client(server.url, { transport });
    const answer = await client.predict(inferInput("input", [1, 4], "FP64", [setosa]));
    await client.close();
    expect(classes(answer.payload)).toEqual([0]);
  });
});
