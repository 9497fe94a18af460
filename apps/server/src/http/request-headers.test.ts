import { describe, expect, it } from "vitest";
import { isEchoedHeader } from "./request-headers.js";

describe("isEchoedHeader()", () => {
  it.each([
    ["x-foo", true],
    ["X-Foo", true],
    ["x-", false],
    ["xfoo", false],
    ["content-type", false],
    ["seldon-model", false],
  ])("%s → %s", (name, expected) => {
    expect(isEchoedHeader(name)).toBe(expected);
  });
});
