import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TensorwireError } from "../error.js";
import type { TensorMetadata } from "../metadata.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { arbTable, canonicalNaN } from "../testing/arb-table.js";
import { arbTensor } from "../testing/arbitraries.js";
import {
  decodeTfServingRequest,
  decodeTfServingResponse,
  encodeTfServingRequest,
  encodeTfServingResponse,
  parseTfServingJson,
  stringifyTfServingJson,
} from "./tf-serving.js";

/**
 * What TF-Serving JSON cannot express, and so what the round-trip properties leave out:
 *
 * | combination                      | reason                                                          |
 * |----------------------------------|-----------------------------------------------------------------|
 * | rank-0 tensors in the row format | rows need a dim 0 (the columnar format carries scalars)         |
 * | FP16 NaN payloads                | values are numbers: every NaN reads back as the canonical NaN   |
 * | a BYTES scalar named "b64"       | `{"inputs": {"b64": "..."}}` is a binary value, not a named map |
 * | datatypes without metadata       | JSON has no datatype: numbers infer as FP64 (see json-values)   |
 */

const sameTensor = (a: Tensor, b: Tensor): boolean =>
  tensorEquals(canonicalNaN(a, false), canonicalNaN(b, false));

function expectSameTensors(got: readonly Tensor[], want: readonly Tensor[]): void {
  expect(got.map((t) => t.name).sort()).toEqual(want.map((t) => t.name).sort());
  for (const t of got) {
    expect(sameTensor(t, want.find((w) => w.name === t.name) as Tensor)).toBe(true);
  }
}

const rowSpecs = (tensors: readonly Tensor[]): TensorMetadata[] =>
  tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: [-1, ...t.shape.slice(1)] }));
const exactSpecs = (tensors: readonly Tensor[]): TensorMetadata[] =>
  tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape }));

/** JSON.parse rounds big integers where ours keeps them as bigint: compare after rounding. */
const rounded = (v: unknown): unknown =>
  typeof v === "bigint"
    ? Number(v)
    : Array.isArray(v)
      ? v.map(rounded)
      : typeof v === "object" && v !== null
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)]))
        : v;

const wire = (body: unknown): unknown => parseTfServingJson(stringifyTfServingJson(body as never));

describe("encodeTfServingRequest() / decodeTfServingRequest()", () => {
  it("should round-trip the row format for every datatype, binary values included", () => {
    fc.assert(
      fc.property(arbTable(), fc.constantFrom("x", "x_bytes"), (tensors, suffix) => {
        const renamed = tensors.map((t) => ({ ...t, name: `${t.name}${suffix}` }) as Tensor);
        const decoded = decodeTfServingRequest(wire(encodeTfServingRequest(renamed, { format: "row" })), {
          metadata: rowSpecs(renamed),
        });
        expect(decoded.format).toBe("row");
        expectSameTensors(decoded.tensors, renamed);
      }),
    );
  });

  it("should round-trip the columnar format, scalars and empty tensors included", () => {
    const names = fc.string({ minLength: 1, maxLength: 6 }).filter((n) => n !== "b64");
    fc.assert(
      fc.property(
        fc.uniqueArray(arbTensor({ name: names }), { maxLength: 3, selector: (t) => t.name }),
        (tensors) => {
          const body = wire(encodeTfServingResponse(tensors, { format: "columnar" }));
          const decoded = decodeTfServingResponse(body, { metadata: exactSpecs(tensors) });
          expect(decoded.format).toBe("columnar");
          expectSameTensors(decoded.tensors, tensors);
        },
      ),
    );
  });

  it("should write outputs named *_bytes as b64 and read b64 anywhere", () => {
    const t = createTensor({
      name: "image_bytes",
      datatype: "BYTES",
      shape: [1],
      data: [new TextEncoder().encode("image bytes")],
    });
    expect(encodeTfServingResponse([t], { format: "row" })).toEqual({
      predictions: [{ b64: "aW1hZ2UgYnl0ZXM=" }],
    });
    const back = decodeTfServingRequest({ instances: [{ b64: "aW1hZ2UgYnl0ZXM=" }] });
    expect(new TextDecoder().decode(back.tensors[0]?.data[0] as Uint8Array)).toBe("image bytes");
  });

  it("should decode the Hopsworks MNIST request", () => {
    const image = Array.from({ length: 784 }, (_, i) => (i % 7) / 7);
    const body = { signature_name: "predict_images", instances: [image] };
    const metadata: TensorMetadata[] = [{ name: "images", datatype: "FP32", shape: [-1, 784] }];
    const decoded = decodeTfServingRequest(parseTfServingJson(JSON.stringify(body)), { metadata });
    expect(decoded.signatureName).toBe("predict_images");
    expect(decoded.tensors[0]).toMatchObject({ name: "images", datatype: "FP32", shape: [1, 784] });
  });

  it("should decode api_rest.md's row and columnar examples to the same tensors", () => {
    const rows = {
      instances: [
        {
          tag: "foo",
          signal: [1, 2, 3, 4, 5],
          sensor: [
            [1, 2],
            [3, 4],
          ],
        },
        {
          tag: "bar",
          signal: [3, 4, 1, 2, 5],
          sensor: [
            [4, 5],
            [6, 8],
          ],
        },
      ],
    };
    const columns = {
      inputs: {
        tag: ["foo", "bar"],
        signal: [
          [1, 2, 3, 4, 5],
          [3, 4, 1, 2, 5],
        ],
        sensor: [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [4, 5],
            [6, 8],
          ],
        ],
      },
    };
    const a = decodeTfServingRequest(rows).tensors;
    const b = decodeTfServingRequest(columns).tensors;
    expect(a.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ["tag", "BYTES", [2]],
      ["signal", "FP64", [2, 5]],
      ["sensor", "FP64", [2, 2, 2]],
    ]);
    for (const [i, t] of a.entries()) {
      expect(tensorEquals(t, b[i] as Tensor)).toBe(true);
    }
  });

  it.each([
    [{ instances: [], inputs: [] }, /got both/],
    [{}, /got neither/],
    [{ instances: [1], signature_name: 3 }, /'signature_name' to be a string/],
    [{ inputs: { x: [[1], [1, 2]] } }, /ragged/],
    [{ inputs: { b64: "not base64!" } }, /expected base64/],
  ])("should reject %j", (body, message) => {
    expect(() => decodeTfServingRequest(body)).toThrow(message);
  });

  it("should throw only TensorwireError for arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, "instances", "inputs"), (value, key) => {
        const body = key === undefined ? value : { [key]: value };
        try {
          decodeTfServingRequest(body);
        } catch (err) {
          expect(err).toBeInstanceOf(TensorwireError);
        }
      }),
    );
  });
});

describe("parseTfServingJson() / stringifyTfServingJson()", () => {
  it("should parse what JSON.parse parses, to the same value", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(rounded(parseTfServingJson(text))).toEqual(JSON.parse(text));
      }),
    );
  });

  it("should agree with JSON.parse on accepting arbitrary text", () => {
    const jsonish = fc.stringMatching(/^[[\]{}:,"\\ 0-9eE.+\-truefalsnulNIiy\n]{0,24}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), jsonish), (text) => {
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(text);
        } catch {
          valid = false;
        }
        try {
          const got = parseTfServingJson(text);
          const tokens = /NaN|Infinity/.test(text);
          if (!tokens) {
            expect(valid).toBe(true);
            expect(rounded(got)).toEqual(expected);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(TensorwireError);
          expect(valid).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("should read and write NaN, Infinity and -Infinity as bare tokens", () => {
    const value = parseTfServingJson('{"x": [NaN, Infinity, -Infinity, -0, 12345678901234567890]}');
    expect(value).toEqual({
      x: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 12345678901234567890n],
    });
    expect(stringifyTfServingJson(value)).toBe('{"x":[NaN,Infinity,-Infinity,-0.0,12345678901234567890]}');
  });

  it("should not take tokens inside strings", () => {
    expect(parseTfServingJson('["NaN", "Infinity"]')).toEqual(["NaN", "Infinity"]);
  });

  it("should reject deep nesting with a TensorwireError", () => {
    expect(() => parseTfServingJson(`${"[".repeat(100_000)}NaN${"]".repeat(100_000)}`)).toThrow(
      TensorwireError,
    );
  });
});
