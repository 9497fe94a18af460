import { describe, expect, it } from "vitest";
import { parseKnownFailing } from "./known-failing.js";

describe("parseKnownFailing()", () => {
  const known = parseKnownFailing(
    [
      "# MLServer answers 422 with {detail}.",
      "oip-rest-core/errors/malformed-json",
      "",
      "binary-data/** # no binary extension",
      "oip-grpc-core/infer/*/raw-contents  # native byte order",
    ].join("\n"),
  );

  it.each([
    ["oip-rest-core/errors/malformed-json", "MLServer answers 422 with {detail}."],
    ["binary-data/input/fp32", "no binary extension"],
    ["oip-grpc-core/infer/int8/raw-contents", "native byte order"],
    ["oip-grpc-core/infer/int8/typed-contents", undefined],
    ["oip-rest-core/errors/malformed-json-2", undefined],
  ])("should give %s the reason %s", (name, reason) => {
    expect(known.reasonFor(name)).toBe(reason);
  });

  it("should refuse a glob without a reason", () => {
    expect(() => parseKnownFailing("a/b\n", "x.txt")).toThrow("x.txt:1: 'a/b' has no reason");
  });
});
