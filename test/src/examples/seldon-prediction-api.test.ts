import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcurl, grpcurlBuilt, run, type ServedCli, serveCli } from "./serve.js";

/**
 * Seldon Core 1's Prediction API page (https://docs.seldon.ai/seldon-core-1/reference/prediction-apis/prediction)
 * shows the `seldon.protos` schema and no request; this calls every RPC of every service it
 * declares with grpcurl (through server reflection) against `tensorwire serve`, with each of the
 * message's data encodings, and checks the answer. Seldon's Python clients send float64, so a
 * `tftensor` of `DT_DOUBLE` reaches iris (which accepts FP64) as every other encoding does.
 */

const withGrpcurl = await grpcurlBuilt();

const flower = [5.1, 3.5, 1.4, 0.2];
const ndarray = { data: { names: ["a", "b", "c", "d"], ndarray: [flower] } };
const tensor = { data: { tensor: { shape: [1, 4], values: flower } } };
const tftensor = (dtype: "DT_FLOAT" | "DT_DOUBLE") => ({
  data: {
    tftensor: {
      dtype,
      tensorShape: { dim: [{ size: "1" }, { size: "4" }] },
      ...(dtype === "DT_FLOAT" ? { floatVal: flower } : { doubleVal: flower }),
    },
  },
});

describe.skipIf(!withGrpcurl)(
  "Seldon Core 1's Prediction API (seldon.protos) against tensorwire serve",
  () => {
    let server: ServedCli;
    beforeAll(async () => {
      server = await serveCli();
    });
    afterAll(() => server?.stop());

    async function call(method: string, body: unknown): Promise<Record<string, unknown>> {
      const { stdout } = await run(grpcurl, [
        "-d",
        JSON.stringify(body),
        "-plaintext",
        "-rpc-header",
        "seldon-model:iris",
        server.address,
        `seldon.protos.${method}`,
      ]);
      return JSON.parse(stdout);
    }

    /** iris' predict_proba row: three probabilities that sum to 1. */
    function expectProbabilities(message: Record<string, unknown>): void {
      const data = message.data as {
        ndarray?: number[][];
        tensor?: { values: number[] };
        tftensor?: unknown;
      };
      const row = data.ndarray?.[0] ?? data.tensor?.values;
      if (row !== undefined) {
        expect(row).toHaveLength(3);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      } else {
        expect(data.tftensor).toMatchObject({ dtype: "DT_FLOAT" });
      }
    }

    it("should list every service the page declares", async () => {
      const { stdout } = await run(grpcurl, ["-plaintext", server.address, "list"]);
      for (const service of [
        "Generic",
        "Model",
        "Router",
        "Transformer",
        "OutputTransformer",
        "Combiner",
        "Seldon",
      ]) {
        expect(stdout).toContain(`seldon.protos.${service}\n`);
      }
    });

    it.each([
      ["ndarray", ndarray],
      ["tensor", tensor],
      ["tftensor DT_FLOAT", tftensor("DT_FLOAT")],
      ["tftensor DT_DOUBLE", tftensor("DT_DOUBLE")],
    ])("Seldon/Predict and Model/Predict with %s", async (_, message) => {
      for (const method of ["Seldon/Predict", "Model/Predict"]) {
        expectProbabilities(await call(method, message));
      }
    });

    it("the Generic, Transformer, OutputTransformer, Router and Combiner RPCs", async () => {
      for (const method of [
        "Generic/TransformInput",
        "Generic/TransformOutput",
        "Transformer/TransformInput",
        "OutputTransformer/TransformOutput",
      ]) {
        expectProbabilities(await call(method, ndarray));
      }
      for (const method of ["Generic/Route", "Router/Route"]) {
        const routed = (await call(method, ndarray)) as { data: { ndarray: number[][] } };
        expect(routed.data.ndarray).toEqual([[0]]);
      }
      for (const method of ["Generic/Aggregate", "Combiner/Aggregate"]) {
        const aggregated = await call(method, { seldonMessages: [ndarray, ndarray] });
        expect((aggregated.data as { ndarray: number[][] }).ndarray).toHaveLength(2);
      }
    });

    it("SendFeedback on Seldon, Model, Generic and Router", async () => {
      for (const method of [
        "Seldon/SendFeedback",
        "Model/SendFeedback",
        "Generic/SendFeedback",
        "Router/SendFeedback",
      ]) {
        const answer = await call(method, { request: ndarray, reward: 1 });
        expect(answer).toHaveProperty("meta");
      }
    });

    it("Model/Metadata, Seldon/ModelMetadata and Seldon/GraphMetadata", async () => {
      expect(await call("Model/Metadata", {})).toMatchObject({ name: "iris" });
      expect(await call("Seldon/ModelMetadata", { name: "iris" })).toMatchObject({ name: "iris" });
      const graph = await call("Seldon/GraphMetadata", {});
      expect(graph.models).toHaveProperty("iris");
    });
  },
);
