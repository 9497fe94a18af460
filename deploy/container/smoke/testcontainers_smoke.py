"""Container smoke test: the image driven by testcontainers-python, as docs/deploy.md shows it.

Usage: python testcontainers_smoke.py <image> <model repository folder>

DOCKER_HOST names the Docker-compatible API socket (podman's `system service` here). Starts the
image with the folder mounted at /mnt/models and port 8080 published on a random host port, waits
for GET /v2/health/ready to answer 200, and prints one JSON object as its last line: the mapped
URL, the server's metadata and whether the mounted model `add` is ready.
"""

import json
import sys
import urllib.request

from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HttpWaitStrategy

image, models = sys.argv[1], sys.argv[2]

with (
    DockerContainer(image)
    .with_exposed_ports(8080)
    .with_volume_mapping(models, "/mnt/models", "ro")
    .with_command("--model-repository /mnt/models")
    .waiting_for(HttpWaitStrategy(8080, "/v2/health/ready").for_status_code(200))
) as tw:
    url = f"http://{tw.get_container_host_ip()}:{tw.get_exposed_port(8080)}"
    with urllib.request.urlopen(f"{url}/v2") as res:
        metadata = json.load(res)
    with urllib.request.urlopen(f"{url}/v2/models/add/ready") as res:
        add_ready = res.status == 200
print(json.dumps({"url": url, "metadata": metadata, "add_ready": add_ready}))
