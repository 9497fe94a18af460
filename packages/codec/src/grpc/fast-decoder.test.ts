import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { ModelInferRequestSchema, ModelInferResponseSchema } from "@tensorwire/proto/oip";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TensorwireError } from "../error.js";
import type { InferRequest, InferResponse } from "../infer.js";
import {
  arbParameters,
  arbTensors,
  expectSameRequest,
  first,
  sameTensors,
  tensor,
} from "../testing/grpc-messages.js";
import {
  decodeGrpcInferRequestBinary,
  decodeRequestBinaryFrom,
  decodeResponseBinaryFrom,
} from "./fast-decoder.js";
import { decodeGrpcInferRequest, decodeGrpcInferResponse, encodeGrpcInferRequest } from "./infer-message.js";

describe("decodeGrpcInferRequestBinary()", () => {
  /**
   * The fast path's answer must be the generated decoder's: the same value or both an error. The
   * generated messages are small, so the fast path is asked for from 0 bytes on.
   */
  function outcome(
    decode: () => InferRequest | InferResponse,
    ours = true,
  ): InferRequest | InferResponse | "error" {
    try {
      return decode();
    } catch (err) {
      // protobuf-es throws its own errors; ours are always TensorwireError.
      if (ours) {
        expect(err).toBeInstanceOf(TensorwireError);
      }
      return "error";
    }
  }

  function expectSameOutcome(bytes: Uint8Array): void {
    const generated = outcome(
      () => decodeGrpcInferRequest(fromBinary(ModelInferRequestSchema, bytes)),
      false,
    );
    const fast = outcome(() => decodeRequestBinaryFrom(bytes, 0));
    if (generated === "error" || fast === "error") {
      expect(fast).toBe(generated);
    } else {
      expectSameRequest(fast as InferRequest, generated as InferRequest);
    }
    const generatedResponse = outcome(
      () => decodeGrpcInferResponse(fromBinary(ModelInferResponseSchema, bytes)),
      false,
    );
    const fastResponse = outcome(() => decodeResponseBinaryFrom(bytes, 0));
    if (generatedResponse === "error" || fastResponse === "error") {
      expect(fastResponse).toBe(generatedResponse);
    } else {
      expect(
        sameTensors((fastResponse as InferResponse).outputs, (generatedResponse as InferResponse).outputs),
      ).toBe(true);
    }
  }

  const arbFloatRequest = fc
    .tuple(arbTensors(["FP32", "FP64", "INT32", "BYTES"]), arbParameters)
    .map(([inputs, parameters]) =>
      toBinary(
        ModelInferRequestSchema,
        encodeGrpcInferRequest(
          { modelName: "m", inputs, ...(parameters ? { parameters } : {}) },
          { contents: "typed" },
        ),
      ),
    );

  it("should equal the generated decoder on valid messages", () => {
    fc.assert(fc.property(arbFloatRequest, expectSameOutcome));
  });

  it("should equal the generated decoder on corrupted messages (same value or both an error)", () => {
    fc.assert(
      fc.property(
        arbFloatRequest,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (bytes, edits) => {
          const corrupted = bytes.slice();
          for (const [at, value] of edits) {
            if (corrupted.length > 0) {
              corrupted[at % corrupted.length] = value;
            }
          }
          expectSameOutcome(corrupted);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("should equal the generated decoder on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), expectSameOutcome), { numRuns: 1000 });
  });

  it("should read long packed fp32_contents without protobuf-es's per-element decode", () => {
    const inputs = [
      tensor(
        "FP32",
        new Float32Array(8192).map((_, i) => i),
        "a",
      ),
    ];
    const bytes = toBinary(
      ModelInferRequestSchema,
      encodeGrpcInferRequest({ modelName: "m", inputs }, { contents: "typed" }),
    );
    const data = decodeGrpcInferRequestBinary(bytes).inputs[0]?.data as Float32Array;
    expect(data[8191]).toBe(8191);
    // The fast path's data come from the message bytes: a view when aligned, else a copy of them.
    const offset = Buffer.from(bytes).indexOf(
      Buffer.from(new Uint8Array((first(inputs).data as Float32Array).buffer)),
    );
    expect(data.buffer === bytes.buffer).toBe(offset % 4 === 0);
  });
});
