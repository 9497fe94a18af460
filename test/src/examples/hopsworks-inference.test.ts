import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPython, pythonEnv, repoRoot, runPython, type ServedCli, serveCli } from "./serve.js";

/**
 * Hopsworks' inference service docs (https://hopsworks.readthedocs.io/en/0.9/hopsml/inference.html,
 * whose earlier edition posts to `/hopsworks-api/api/project/80/models/mnist:predict` and the 0.9
 * edition to `.../project/80/inference/models/mnist:predict`): the page's Python skeleton, verbatim
 * apart from host and port and the one line that needs the internet. `mnist_input_data` downloads
 * MNIST; one synthetic 28×28 image with pixels in [0, 1] (MNIST's range) takes the place of
 * `test_data_set.next_batch(1)`. The `mnist` model of the default zoo answers the
 * `predict_images` signature; the login is a mock that takes any credentials.
 */

const withPython = await hasPython();

describe.skipIf(!withPython)("Hopsworks' inference docs against tensorwire serve", () => {
  let server: ServedCli;
  beforeAll(async () => {
    await pythonEnv("examples");
    server = await serveCli();
  }, 900_000);
  afterAll(() => server?.stop());

  it.each(["models", "inference/models"])(
    "the Python skeleton: login, then predict_images at .../80/%s/mnist",
    async (path) => {
      const skeleton = `
import json

import numpy as np
import requests

# Login with Hopsworks using username and password
credentials = {}
credentials['email'] = "user@email.com"
credentials['password'] = "userpassword"

login_request = requests.post('http://${server.address}/hopsworks-api/api/auth/login',
                              data=credentials)

# In place of mnist_input_data.read_data_sets(work_dir).test.next_batch(1): one 28x28 image.
image = [np.linspace(0.0, 1.0, 784, dtype=np.float32)]

# Prepare the JSON payload. The format of the payload should respect the format
# expected by the TensorFlow model server: https://www.tensorflow.org/serving/api_rest
request_data = {}
request_data['signature_name'] = 'predict_images'
request_data['instances'] = image[0].reshape(1, image[0].size).tolist()

# Send the actual request. The path should be composed as follow:
# https://<host>:<ip>/hopsworks-api/api/project/<project_id>/models/<model_name>:predict
r = requests.post("http://${server.address}/hopsworks-api/api/project/80/${path}/mnist:predict",
                  cookies=login_request.cookies,
                  data=json.dumps(request_data))

print(login_request.status_code, r.status_code)
print(json.dumps(r.json()))
`;
      const out = await runPython(join(repoRoot, ".venv/examples/bin/python"), skeleton);
      const [statuses, body] = out.trim().split("\n");
      expect(statuses).toBe("200 200");
      const [scores] = JSON.parse(body as string).predictions as number[][];
      expect(scores).toHaveLength(10);
      expect(scores?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    },
  );
});
