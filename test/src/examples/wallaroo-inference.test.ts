import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPython, pythonEnv, repoRoot, runPython, type ServedCli, serveCli } from "./serve.js";

/**
 * Wallaroo's inference docs
 * (https://docs.wallaroo.ai/20230401/wallaroo-model-operations/wallaroo-model-operations-serve/wallaroo-model-operations-serve-inference-endpoints):
 * the page's API requests with Python's requests, pandas and pyarrow, verbatim apart from the API
 * URL (this server) and what the page leaves to the reader: `workspaceId` and `pipeline_name`
 * (5 and the zoo's `ccfraud`), the JWT from `wl.auth.auth_header()` (the page's printed
 * `Bearer exampleabcdefg`), IPython's `display` (print) and the data file `cc_data_10k.arrow`,
 * written here from a pandas DataFrame of float64 rows as pyarrow writes it. The page's SDK calls
 * (`pipeline.infer`, `infer_from_file`, `parallel_infer`) drive a Wallaroo cluster through the
 * wallaroo SDK and are not run here; @tensorwire/client's tabular client makes the same requests.
 */

const withPython = await hasPython();

describe.skipIf(!withPython)("Wallaroo's inference docs against tensorwire serve", () => {
  let server: ServedCli;
  const dir = mkdtempSync(join(tmpdir(), "tensorwire-wallaroo-"));
  beforeAll(async () => {
    await pythonEnv("examples");
    server = await serveCli();
  }, 900_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const prelude = () => `
import json
import os

import pandas as pd
import pyarrow as pa
import requests

display = print
pd.set_option('display.max_colwidth', None)
APIURL = "http://${server.address}"
workspaceId = 5
pipeline_name = "ccfraud"
headers = {'Authorization': 'Bearer exampleabcdefg'}

# set Content-Type type
headers['Content-Type']='application/json'

## Retrieve the pipeline's External Inference URL

apiRequest = f"{APIURL}/v1/api/admin/get_pipeline_external_url"

data = {
    "workspace_id": workspaceId,
    "pipeline_name": pipeline_name
}

response = requests.post(apiRequest, json=data, headers=headers, verify=True).json()
deployurl = response['url']
print(json.dumps({"deployurl": deployurl}))
`;

  it("get_pipeline_external_url, then inference via the URL with pandas records", async () => {
    const program = `${prelude()}
headers = {'Authorization': 'Bearer exampleabcdefg'}

# set Content-Type type
headers['Content-Type']='application/json; format=pandas-records'

## Inference through external URL using dataframe

# retrieve the json data to submit
data = [
    {
        "tensor":[
            1.0678324729,
            0.2177810266,
            -1.7115145262,
            0.682285721,
            1.0138553067,
            -0.4335000013,
            0.7395859437,
            -0.2882839595,
            -0.447262688,
            0.5146124988,
            0.3791316964,
            0.5190619748,
            -0.4904593222,
            1.1656456469,
            -0.9776307444,
            -0.6322198963,
            -0.6891477694,
            0.1783317857,
            0.1397992467,
            -0.3554220649,
            0.4394217877,
            1.4588397512,
            -0.3886829615,
            0.4353492889,
            1.7420053483,
            -0.4434654615,
            -0.1515747891,
            -0.2668451725,
            -1.4549617756
        ]
    }
]

# submit the request via POST, import as pandas DataFrame
response = pd.DataFrame.from_records(
    requests.post(
        deployurl, 
        json=data, 
        headers=headers)
        .json()
    )

display(response.loc[:,["time", "out"]])
print(json.dumps({"time": int(response["time"][0]), "out": response["out"][0]}))
`;
    const lines = (await runPython(join(repoRoot, ".venv/examples/bin/python"), program)).trim().split("\n");
    expect(JSON.parse(lines[0] as string).deployurl).toBe(
      `${server.url}/v1/api/pipelines/infer/ccfraud-1/ccfraud`,
    );
    const last = JSON.parse(lines.at(-1) as string);
    expect(last.time).toBeGreaterThan(1_700_000_000_000);
    expect(Object.keys(last.out)).toEqual(["dense_1"]);
    expect(last.out.dense_1).toHaveLength(1);
    expect(last.out.dense_1[0]).toBeGreaterThan(0);
    expect(last.out.dense_1[0]).toBeLessThan(1);
  });

  it("inference via the URL with an Arrow file of float64 rows from pandas, answered in Arrow", async () => {
    const program = `${prelude()}
# The page's data file: a pandas DataFrame of float64 rows, as pyarrow writes it.
os.makedirs("./data", exist_ok=True)
rows = [[((i * 29 + j) % 17) / 4.0 - 2.0 for j in range(29)] for i in range(1000)]
table = pa.Table.from_pandas(pd.DataFrame({"tensor": rows}))
assert str(table.schema.field("tensor").type) == "list<item: double>", table.schema
with pa.ipc.new_file("./data/cc_data_10k.arrow", table.schema) as writer:
    writer.write_table(table)

headers = {'Authorization': 'Bearer exampleabcdefg'}

# set Content-Type type
headers['Content-Type']='application/vnd.apache.arrow.file'

# set accept as apache arrow table
headers['Accept']="application/vnd.apache.arrow.file"

# Submit arrow file
dataFile="./data/cc_data_10k.arrow"

data = open(dataFile,'rb').read()

response = requests.post(
                    deployurl, 
                    headers=headers, 
                    data=data, 
                    verify=True
                )

# Arrow table is retrieved 
with pa.ipc.open_file(response.content) as reader:
    arrow_table = reader.read_all()

# convert to Polars DataFrame and display the first 5 rows
display(arrow_table.to_pandas().head(5).loc[:,["time", "out"]])
first = arrow_table.to_pandas()["out"][0]
print(json.dumps({"rows": arrow_table.num_rows, "out": {k: [float(x) for x in v] for k, v in first.items()}}))
`;
    const out = await runPython(join(repoRoot, ".venv/examples/bin/python"), program, dir);
    const last = JSON.parse(out.trim().split("\n").at(-1) as string);
    expect(last.rows).toBe(1000);
    expect(Object.keys(last.out)).toEqual(["dense_1"]);
    expect(last.out.dense_1).toHaveLength(1);
  });
});
