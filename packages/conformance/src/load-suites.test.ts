import { describe, expect, it } from "vitest";
import { parseSuiteFile } from "./case-schema.js";
import { datatypes } from "./datatype-table.js";
import { loadSuites } from "./load-suites.js";

const cases = loadSuites();

const restEndpoints = [
  ["GET", /^\/v2\/health\/live$/],
  ["GET", /^\/v2\/health\/ready$/],
  ["GET", /^\/v2\/?$/],
  ["GET", /^\/v2\/models\/[^/]+$/],
  ["GET", /^\/v2\/models\/[^/]+\/versions\/[^/]+$/],
  ["GET", /^\/v2\/models\/[^/]+\/ready$/],
  ["GET", /^\/v2\/models\/[^/]+\/versions\/[^/]+\/ready$/],
  ["POST", /^\/v2\/models\/[^/]+\/infer$/],
  ["POST", /^\/v2\/models\/[^/]+\/versions\/[^/]+\/infer$/],
  ["POST", /^\/v2\/repository\/index$/],
  ["POST", /^\/v2\/repository\/models\/[^/]+\/load$/],
  ["POST", /^\/v2\/repository\/models\/[^/]+\/unload$/],
  ["GET", /^\/v2\/models\/stats$/],
  ["GET", /^\/v2\/models\/[^/]+\/stats$/],
  ["GET", /^\/v2\/models\/[^/]+\/versions\/[^/]+\/stats$/],
] as const;

const rpcs = [
  "ServerLive",
  "ServerReady",
  "ServerMetadata",
  "ModelReady",
  "ModelMetadata",
  "ModelInfer",
  "ModelStatistics",
  "RepositoryIndex",
  "RepositoryModelLoad",
  "RepositoryModelUnload",
];

const steps = cases.flatMap((c) => c.steps.map((s) => ({ c, s })));

describe("loadSuites()", () => {
  it("should load at least 150 cases with unique names", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.fullName)).size).toBe(cases.length);
  });

  it("should have a case in every suite folder the brief names", () => {
    expect([...new Set(cases.map((c) => c.suite))].sort()).toEqual([
      "binary-data",
      "kserve-v1",
      "model-repository",
      "oip-grpc-core",
      "oip-rest-core",
      "seldon-v1",
      "seldon-v2-headers",
      "statistics",
      "tf-serving",
    ]);
  });

  it.each(restEndpoints)("should cover REST %s %s", (method, path) => {
    expect(
      steps.some(
        ({ s }) => "http" in s.request && s.request.http.method === method && path.test(s.request.http.path),
      ),
    ).toBe(true);
  });

  it.each(rpcs)("should cover the %s RPC", (rpc) => {
    expect(steps.some(({ s }) => "grpc" in s.request && s.request.grpc.method === rpc)).toBe(true);
  });

  it.each(datatypes)("should infer %s over REST JSON or binary, and gRPC raw", (dt) => {
    const forDt = cases.filter((c) => c.datatype === dt);
    expect(forDt.some((c) => c.suite === "oip-rest-core" && c.name.startsWith("infer/"))).toBe(true);
    expect(forDt.some((c) => c.suite === "binary-data")).toBe(true);
    expect(forDt.some((c) => c.name.endsWith("/raw-contents"))).toBe(true);
  });

  it("should give each case a requirement, a level and a spec link", () => {
    for (const c of cases) {
      expect(c.requirement.length, c.fullName).toBeGreaterThan(10);
      expect(c.spec, c.fullName).toMatch(/^https:\/\//);
    }
  });
});

describe("parseSuiteFile()", () => {
  const valid = {
    suite: "s",
    description: "d",
    optional: false,
    sources: [{ name: "OIP REST specification", url: "https://example.com/spec", follows: "everything" }],
    cases: [
      {
        name: "a/{dtl}",
        datatypes: ["INT8", "FP32"],
        requirement: "r",
        level: "MUST",
        spec: "https://example.com/#x",
        request: {
          http: { method: "POST", path: "/v2/models/identity_{dtl}/infer", json: { data: "$values" } },
        },
        expect: { status: 200 },
      },
    ],
  };

  it("should expand a templated case per datatype", () => {
    const suite = parseSuiteFile(valid, "test.yaml");
    expect(suite.cases.map((c) => c.name)).toEqual(["a/int8", "a/fp32"]);
    const step = suite.cases[0]?.steps[0];
    expect(step?.request).toEqual({
      http: {
        method: "POST",
        path: "/v2/models/identity_int8/infer",
        json: { data: [-128, -1, 0, 1, 2, 127] },
      },
    });
  });

  it.each([
    ["an unknown key", { ...valid.cases[0], colour: "red" }, "unknown key 'colour'"],
    ["a bad level", { ...valid.cases[0], level: "MUSTN'T" }, "expected one of MUST, SHOULD, MAY"],
    ["a gRPC code on an HTTP step", { ...valid.cases[0], expect: { code: "OK" } }, "expects a status"],
    ["a name that is not kebab-case", { ...valid.cases[0], name: "Infer FP32" }, "expected kebab-case"],
  ])("should refuse %s", (_what, c, message) => {
    expect(() => parseSuiteFile({ ...valid, cases: [c] }, "test.yaml")).toThrow(message);
  });
});
