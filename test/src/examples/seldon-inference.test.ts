import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grpcurl,
  grpcurlBuilt,
  hasPython,
  pythonEnv,
  repoRoot,
  run,
  runPython,
  type ServedCli,
  serveCli,
} from "./serve.js";

/**
 * Seldon Core 2's inference docs (https://docs.seldon.ai/seldon-core-2/v2.8/inference): every
 * request the page shows, verbatim apart from host and port, against `tensorwire serve`.
 *
 * Where a request cannot run here as printed:
 * - grpcurl's `-import-path apis -proto apis/mlops/v2_dataplane/v2_dataplane.proto` names Seldon's
 *   repository; this repository's schema of the same service (`proto/inference/grpc_service.proto`)
 *   takes its place, and the call also runs through server reflection with no `-proto`.
 * - `seldon pipeline infer --show-headers --header X-foo=bar tfsimples '...'` is Seldon's CLI; the
 *   HTTP request it makes (`seldon-model: tfsimples.pipeline`, `X-foo: bar`) is sent with curl, and
 *   `seldon pipeline inspect ... --request-id ... --offset 10` runs as `tensorwire pipeline inspect`.
 * - The Kafka topics need a broker: apps/server/src/kafka's tests run them against Apache Kafka.
 */

const irisBody =
  '{"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP32", "data": [[1, 2, 3, 4]]}]}';
const grpcBody =
  '{"model_name":"iris","inputs":[{"name":"input","contents":{"fp32_contents":[1,2,3,4]},"datatype":"FP32","shape":[1,4]}]}';
const tfsimplesBody =
  '{"inputs":[{"name":"INPUT0","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"datatype":"INT32","shape":[1,16]},{"name":"INPUT1","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"datatype":"INT32","shape":[1,16]}]}';

const withGrpcurl = await grpcurlBuilt();
const withPython = await hasPython();

describe("Seldon Core 2's inference docs against tensorwire serve", () => {
  let server: ServedCli;
  beforeAll(async () => {
    server = await serveCli();
  });
  afterAll(() => server?.stop());

  it("curl: POST /v2/models/iris/infer with seldon-model: iris", async () => {
    const { stdout, stderr } = await run("curl", [
      "-v",
      `http://${server.address}/v2/models/iris/infer`,
      "-H",
      "Content-Type: application/json",
      "-H",
      "seldon-model: iris",
      "-d",
      irisBody,
    ]);
    expect(stderr).toMatch(/< HTTP\/1\.1 200/);
    expect(stderr).toMatch(/< x-request-id: [0-9a-v]{20}/);
    const body = JSON.parse(stdout);
    expect(body.model_name).toBe("iris");
    expect(body.outputs[0]).toMatchObject({ name: "predict", datatype: "INT64", data: [2] });
  });

  it.skipIf(!withGrpcurl)(
    "grpcurl: ModelInfer with -rpc-header seldon-model:iris (a .proto, then reflection)",
    async () => {
      const proto = ["-import-path", join(repoRoot, "proto"), "-proto", "inference/grpc_service.proto"];
      for (const schema of [proto, []]) {
        const { stdout } = await run(grpcurl, [
          "-d",
          grpcBody,
          "-plaintext",
          ...schema,
          "-rpc-header",
          "seldon-model:iris",
          server.address,
          "inference.GRPCInferenceService/ModelInfer",
        ]);
        const json = JSON.parse(stdout);
        expect(json.modelName).toBe("iris");
        expect(json.outputs[0]).toMatchObject({ name: "predict", contents: { int64Contents: ["2"] } });
      }
    },
  );

  it.skipIf(!withPython)("Python tritonclient: the page's self-contained example", async () => {
    await pythonEnv("tritonclient");
    const example = `
import tritonclient.http as httpclient
import numpy as np

client = httpclient.InferenceServerClient(
    url="${server.address}",
    verbose=False,
)

inputs = [httpclient.InferInput("predict", (1, 4), "FP64")]
inputs[0].set_data_from_numpy(np.array([[1, 2, 3, 4]]).astype("float64"), binary_data=False)

result = client.infer("iris", inputs)
print("result is:", result.as_numpy("predict"))
`;
    expect(await runPython(join(repoRoot, ".venv/tritonclient/bin/python"), example)).toBe(
      "result is: [2]\n",
    );
  });

  it("the pipeline request with an X-foo header (seldon pipeline infer's HTTP call), then inspect", async () => {
    const { stdout, stderr } = await run("curl", [
      "-sv",
      `http://${server.address}/v2/models/tfsimples/infer`,
      "-H",
      "seldon-model: tfsimples.pipeline",
      "-H",
      "X-foo: bar",
      "-H",
      "Content-Type: application/json",
      "-d",
      tfsimplesBody,
    ]);
    expect(stderr).toMatch(/< x-foo: bar/i);
    const requestId = /< x-request-id: ([0-9a-v]{20})/.exec(stderr)?.[1];
    expect(requestId).toBeDefined();
    const outputs = JSON.parse(stdout).outputs as { name: string; data: number[] }[];
    expect(outputs.map((o) => o.name).sort()).toEqual(["OUTPUT0", "OUTPUT1"]);
    const inspect = await run(process.execPath, [
      join(repoRoot, "apps/server/bin/tensorwire.js"),
      "pipeline",
      "inspect",
      "tfsimples",
      "--request-id",
      requestId as string,
      "--offset",
      "10",
      "--url",
      server.url,
    ]);
    expect(inspect.stdout).toContain(`seldon.default.pipeline.tfsimples.outputs\t${requestId}`);
  });
});
