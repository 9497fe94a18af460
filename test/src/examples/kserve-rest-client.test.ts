import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPython, pythonEnv, repoRoot, runPython, type ServedCli, serveCli } from "./serve.js";

/**
 * The KServe Python SDK's Inference REST Client docs
 * (https://kserve.github.io/website/latest/inference_client/inference_rest_client): every call the
 * page shows, with kserve 0.21.0 from PyPI (`.venv/kserve`, the conformance suite's KServe peer's),
 * verbatim apart from the base URL (`https://example.com:443` → this server) and two fixes the
 * page's snippets need to run at all: they `await` at top level (a notebook's form), so they run
 * inside `asyncio.run`, and the health examples construct `InferenceClient(config)`, a name kserve
 * does not export, so they use the `InferenceRESTClient` the page documents.
 *
 * The page's `explain()` example configures `protocol="v2"`, which the client itself refuses
 * (`UnsupportedProtocol`: explain is V1 only) before sending anything; the test checks that refusal
 * and sends the same explain call with `protocol="v1"`. The models `example_model` and `my_model`
 * (input_1 FP32 [-1,3]) are in the default zoo.
 */

const withPython = await hasPython();
const python = join(repoRoot, ".venv/kserve/bin/python");

describe.skipIf(!withPython)("KServe's InferenceRESTClient docs against tensorwire serve", () => {
  let server: ServedCli;
  beforeAll(async () => {
    // The first run installs kserve and its dependencies from PyPI (minutes).
    await pythonEnv("kserve");
    server = await serveCli();
  }, 900_000);
  afterAll(() => server?.stop());

  const snippet = (body: string) => `
import asyncio
import json

from kserve import RESTConfig, InferenceRESTClient

async def main():
${body
  .trim()
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}

asyncio.run(main())
`;

  it("infer(): input_1 FP32 [1, 3] to example_model over V2, with headers and response headers", async () => {
    const out = await runPython(
      python,
      snippet(`
config = RESTConfig(protocol="v2", retries=5, timeout=30)
client = InferenceRESTClient(config)
base_url = "http://${server.address}"
data = {"inputs": [{"name": "input_1", "shape": [1, 3], "datatype": "FP32", "data": [1.0, 2.0, 3.0]}]}
model_name = "example_model"
headers = {"Authorization": "Bearer YOUR_TOKEN"}
response_headers = {}
result = await client.infer(base_url, data, model_name, headers, response_headers)
print(result)
print(json.dumps({"outputs": [[o.name, o.datatype, o.shape, o.data] for o in result.outputs], "request_id": response_headers.get("x-request-id")}))
`),
    );
    const checked = JSON.parse(out.trim().split("\n").at(-1) as string);
    expect(checked.outputs).toHaveLength(1);
    const [name, datatype, shape, [value]] = checked.outputs[0];
    expect([name, datatype, shape]).toEqual(["output_1", "FP32", [1, 1]]);
    expect(value).toBeCloseTo(1 * 0.5 - 2 * 0.25 + 3 * 1 + 0.1, 5);
    expect(checked.request_id).toMatch(/^[0-9a-v]{20}$/);
  });

  it("explain(): refused by the client under V2 as printed; answered under V1 for my_model", async () => {
    const out = await runPython(
      python,
      snippet(`
from kserve.errors import UnsupportedProtocol
for protocol in ["v2", "v1"]:
    config = RESTConfig(protocol=protocol, retries=5, timeout=30)
    client = InferenceRESTClient(config)
    base_url = "http://${server.address}"
    model_name = "my_model"
    data = {"instances": [[1.0, 2.0, 5.0]]}
    headers = {"Authorization": "Bearer my_token"}
    try:
        result = await client.explain(base_url, model_name, data, headers=headers)
        print(json.dumps({"protocol": protocol, "result": result}))
    except UnsupportedProtocol as e:
        print(json.dumps({"protocol": protocol, "refused": str(e)}))
`),
    );
    const [v2, v1] = out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(v2).toMatchObject({ protocol: "v2", refused: expect.stringContaining("v2") });
    expect(v1.protocol).toBe("v1");
    const [[value]] = v1.result.explanations;
    expect(value).toBeCloseTo(0.5 - 0.5 + 5 + 0.1, 5);
  });

  it("is_server_ready(), is_server_live(), is_model_ready(my_model)", async () => {
    const out = await runPython(
      python,
      snippet(`
config = RESTConfig(protocol="v2", retries=5, timeout=30)

client = InferenceRESTClient(config)
is_ready = await client.is_server_ready("http://${server.address}")
if is_ready:
    print("Server is ready")
else:
    print("Server is not ready")

is_live = await client.is_server_live("http://${server.address}")
if is_live:
    print("Server is live")
else:
    print("Server is not live")

base_url = "http://${server.address}"
model_name = "my_model"
is_ready = await client.is_model_ready(base_url, model_name)
if is_ready:
    print("Model is ready")
else:
    print("Model is not ready")
`),
    );
    expect(out).toBe("Server is ready\nServer is live\nModel is ready\n");
  });
});
