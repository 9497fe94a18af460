import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The deployment manifests against the real API types: `helm lint` on the chart, then every
 * manifest (the chart rendered with its default and ci/ values, KServe's and Seldon's examples)
 * strictly decoded by deploy/validate: k8s.io/api and KServe's Go types, Seldon's CRD schemas.
 * deploy/validate/setup-tools.sh builds helm (pinned) and the validator with Go; without Go the
 * test skips and says why, and with REQUIRE_CI_TOOLS=1 (.ci/run) it fails instead.
 */

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../", import.meta.url));
const chart = join(repo, "deploy/helm/tensorwire");
const crds = join(repo, "deploy/seldon/crds");
const required = process.env.REQUIRE_CI_TOOLS === "1";

function hasGo(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v go || test -x /usr/local/go/bin/go"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const available = hasGo();
if (!available) {
  console.log("skipping the manifest checks: no Go toolchain to build helm and deploy/validate");
}

describe.runIf(!available && required)("manifest check prerequisites", () => {
  it("should have Go where REQUIRE_CI_TOOLS=1 (CI)", () => {
    expect.fail("REQUIRE_CI_TOOLS=1 but no Go toolchain");
  });
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function outcome(file: string, args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe.skipIf(!available)("deployment manifests", () => {
  let bin: string;
  let work: string;
  const helm = (...args: string[]) => outcome(join(bin, "helm"), args);
  const validate = (...files: string[]) => outcome(join(bin, "validate"), ["-crds", crds, ...files]);
  const valuesFiles = ["", "ci/all-features-values.yaml", "ci/grpc-probes-values.yaml"];

  beforeAll(async () => {
    const { stdout } = await run("bash", [join(repo, "deploy/validate/setup-tools.sh")], {
      timeout: 1_800_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    bin = stdout.trim().split("\n").at(-1) ?? "";
    work = await mkdtemp(join(tmpdir(), "tensorwire-manifests-"));
  }, 1_800_000);
  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it.each(valuesFiles)("helm lint --strict should be clean with values %j", async (values) => {
    const result = await helm(
      "lint",
      "--strict",
      chart,
      ...(values ? ["--values", join(chart, values)] : []),
    );
    expect(result.stderr + result.stdout).toContain("0 chart(s) failed");
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.code).toBe(0);
  });

  it("should strictly decode the rendered chart, the KServe and the Seldon manifests", async () => {
    const rendered: string[] = [];
    for (const values of valuesFiles) {
      const result = await helm(
        "template",
        "tw",
        chart,
        "--namespace",
        "models",
        ...(values ? ["--values", join(chart, values)] : []),
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const file = join(work, `chart-${rendered.length}.yaml`);
      await writeFile(file, result.stdout);
      rendered.push(file);
    }
    const examples = async (dir: string) =>
      (await readdir(join(repo, dir))).filter((f) => f.endsWith(".yaml")).map((f) => join(repo, dir, f));
    const files = [...rendered, ...(await examples("deploy/kserve")), ...(await examples("deploy/seldon"))];
    const result = await validate(...files);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const kinds = new Set(
      result.stdout.split("\n").flatMap((line) => /^ok .*: (\S+ \S+)\//.exec(line)?.[1] ?? []),
    );
    expect([...kinds].sort()).toEqual(
      [
        "mlops.seldon.io/v1alpha1 Model",
        "mlops.seldon.io/v1alpha1 Server",
        "mlops.seldon.io/v1alpha1 ServerConfig",
        "monitoring.coreos.com/v1 ServiceMonitor",
        "serving.kserve.io/v1alpha1 ClusterServingRuntime",
        "serving.kserve.io/v1beta1 InferenceService",
        "v1 Secret",
        "v1 Service",
        "v1 ServiceAccount",
        "apps/v1 Deployment",
      ].sort(),
    );
  });

  it("should render gRPC probes on the server's port with probes.type=grpc", async () => {
    const result = await helm("template", "tw", chart, "--values", join(chart, "ci/grpc-probes-values.yaml"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("grpc:\n              port: 8080");
    expect(result.stdout).not.toContain("httpGet");
    expect(result.stdout).not.toContain("name: grpc\n");
  });

  it("should give the Service's grpc port a container port of its own and keep the token off the command line", async () => {
    const result = await helm(
      "template",
      "tw",
      chart,
      "--values",
      join(chart, "ci/all-features-values.yaml"),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("- --grpc-port=9000\n");
    expect(result.stdout).toMatch(/- name: grpc\n\s+containerPort: 9000\n/);
    expect(result.stdout).toMatch(/- name: grpc\n\s+port: 9000\n\s+targetPort: grpc\n/);
    // The server reads TENSORWIRE_* variables: no service links for the namespace's Services.
    expect(result.stdout).toContain("enableServiceLinks: false");
    expect(result.stdout).toContain("- name: TENSORWIRE_AUTH_TOKEN\n");
    expect(result.stdout).not.toContain("- --auth-token");
  });

  it("should refuse values the chart does not have", async () => {
    const typo = await helm("template", "tw", chart, "--set", "modelRepository.controlmode=explicit");
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain("controlmode");
    const badProbe = await helm("template", "tw", chart, "--set", "probes.type=tcp");
    expect(badProbe.code).not.toBe(0);
  });

  it.each([
    ["apps/v1", "Deployment", "spec:\n  replica: 1\n", 'unknown field "spec.replica"'],
    [
      "serving.kserve.io/v1beta1",
      "InferenceService",
      "spec:\n  predictor:\n    model:\n      modelFormat: {name: onnx}\n      storageURI: pvc://m/a\n",
      'unknown field "spec.predictor.model.storageURI"',
    ],
    [
      "serving.kserve.io/v1alpha1",
      "ClusterServingRuntime",
      "spec:\n  containers: [{name: kserve-container, image: i}]\n  protocolVersion: [v2]\n",
      'unknown field "spec.protocolVersion"',
    ],
    [
      "mlops.seldon.io/v1alpha1",
      "Server",
      "spec:\n  serverconfig: tensorwire\n",
      'unknown field "spec.serverconfig"',
    ],
    [
      "mlops.seldon.io/v1alpha1",
      "ServerConfig",
      "spec:\n  podSpec:\n    containers: [{name: a, image: b, portz: []}]\n",
      'unknown field "spec.podSpec.containers[0].portz"',
    ],
    ["mlops.seldon.io/v1alpha1", "Model", "spec:\n  storageUri: gs://m\n  memory: [1]\n", "spec.memory"],
    [
      "monitoring.coreos.com/v1",
      "ServiceMonitor",
      "spec:\n  selector: {}\n  endpoints: [{port: http, pathz: /metrics}]\n",
      'unknown field "spec.endpoints[0].pathz"',
    ],
  ])("should reject a %s %s with a wrong field", async (apiVersion, kind, spec, message) => {
    const file = join(work, `bad-${kind}.yaml`);
    await writeFile(file, `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: bad\n${spec}`);
    const result = await validate(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });
});
