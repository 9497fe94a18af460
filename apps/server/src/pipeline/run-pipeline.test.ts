import type { Tensor } from "@tensorwire/codec";
import { TensorwireError } from "@tensorwire/codec";
import { describe, expect, it } from "vitest";
import type { InferContext } from "../core/data-plane.js";
import { type FakeModel, fakeDataPlane, int32, valuesOf } from "../testing/pipeline-test-helpers.js";
import { parsePipelineSpec } from "./pipeline-spec.js";
import { createTrace, joinArrivals, runPipeline, type StepCaller } from "./run-pipeline.js";

const context: InferContext = { requestId: "r1", protocol: "test" };

function values(t: Tensor): number[] {
  return Array.from(t.data as Int32Array);
}

const models: Record<string, FakeModel> = {
  // OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1 (tfsimple's arithmetic).
  add: {
    run: (inputs) => {
      const [a, b] = ["INPUT0", "INPUT1"].map((n) => values(inputs.find((t) => t.name === n) as Tensor)) as [
        number[],
        number[],
      ];
      return [
        int32(
          "OUTPUT0",
          a.map((x, i) => x + (b[i] as number)),
        ),
        int32(
          "OUTPUT1",
          a.map((x, i) => x - (b[i] as number)),
        ),
      ];
    },
  },
  // Every input comes back as OUT_<name>: shows exactly what a step received.
  echo: { run: (inputs) => inputs.map((t) => ({ ...t, name: `OUT_${t.name}` }) as Tensor) },
  slowEcho: {
    delayMs: 200,
    run: (inputs) => inputs.map((t) => ({ ...t, name: `SLOW_${t.name}` }) as Tensor),
  },
  // Conditional routing: POS when the first value is positive, else NEG; never both.
  route: {
    run: ([t]) => [
      { ...(t as Tensor), name: (values(t as Tensor)[0] as number) > 0 ? "POS" : "NEG" } as Tensor,
    ],
  },
  fail: {
    run: () => {
      throw new TensorwireError("invalid_argument", "bad input");
    },
  },
};

async function run(spec: unknown, inputs: Tensor[]) {
  const pipeline = parsePipelineSpec({ kind: "Pipeline", metadata: { name: "p" }, spec });
  const plane = fakeDataPlane(models);
  const call: StepCaller = (step, request, ctx) => plane.infer({ name: step.model }, request, ctx);
  const trace = createTrace("p", "r1", inputs);
  const outputs = await runPipeline(pipeline, { inputs }, context, call, trace);
  return { outputs, trace, calls: plane.calls };
}

describe("runPipeline()", () => {
  it("should chain two add steps through a tensorMap (tfsimples by hand)", async () => {
    const { outputs, trace } = await run(
      {
        steps: [
          { name: "s1", model: "add" },
          {
            name: "s2",
            model: "add",
            inputs: ["s1.outputs.OUTPUT0", "s1.outputs.OUTPUT1"],
            tensorMap: { "s1.outputs.OUTPUT0": "INPUT0", "s1.outputs.OUTPUT1": "INPUT1" },
          },
        ],
        output: { steps: ["s2"] },
      },
      [int32("INPUT0", [1, 2, 3]), int32("INPUT1", [10, 20, 30])],
    );
    // s1: [11,22,33] and [-9,-18,-27]; s2: their sum 2·INPUT0 and difference 2·INPUT1.
    expect(valuesOf(trace.steps.get("s1")?.outputs, "OUTPUT0")).toEqual([11, 22, 33]);
    expect(valuesOf(trace.steps.get("s1")?.outputs, "OUTPUT1")).toEqual([-9, -18, -27]);
    expect(valuesOf(trace.steps.get("s2")?.inputs, "INPUT1")).toEqual([-9, -18, -27]);
    expect(valuesOf(outputs, "OUTPUT0")).toEqual([2, 4, 6]);
    expect(valuesOf(outputs, "OUTPUT1")).toEqual([20, 40, 60]);
    expect(trace.outputs).toBe(outputs);
  });

  it("should pass a step's inputs on with <step>.inputs.<tensor> and rename outputs", async () => {
    const { outputs } = await run(
      {
        steps: [
          { name: "a", model: "echo" },
          { name: "b", model: "echo", inputs: ["a.inputs.INPUT0", "a.outputs.OUT_INPUT0"] },
        ],
        output: { steps: ["b"], tensorMap: { "b.outputs.OUT_INPUT0": "first" } },
      },
      [int32("INPUT0", [7])],
    );
    expect(outputs?.map((t) => t.name)).toEqual(["first", "OUT_OUT_INPUT0"]);
    expect(valuesOf(outputs, "first")).toEqual([7]);
  });

  it("should wait for every input with an inner join", async () => {
    const { outputs } = await run(
      {
        steps: [
          { name: "fast", model: "echo" },
          { name: "slow", model: "slowEcho" },
          { name: "j", model: "echo", inputs: ["fast", "slow"] },
        ],
        output: { steps: ["j"] },
      },
      [int32("X", [1])],
    );
    expect(outputs?.map((t) => t.name)).toEqual(["OUT_OUT_X", "OUT_SLOW_X"]);
  });

  it("should take the first arrival with an any join", async () => {
    const { outputs } = await run(
      {
        steps: [
          { name: "fast", model: "echo" },
          { name: "slow", model: "slowEcho" },
          { name: "j", model: "echo", inputs: ["slow", "fast"], inputsJoinType: "any" },
        ],
        output: { steps: ["j"] },
      },
      [int32("X", [1])],
    );
    expect(outputs?.map((t) => t.name)).toEqual(["OUT_OUT_X"]);
  });

  it("should join what arrived within the window with an outer join", async () => {
    const spec = (joinWindowMs: number) => ({
      steps: [
        { name: "fast", model: "echo" },
        { name: "slow", model: "slowEcho" },
        { name: "j", model: "echo", inputs: ["fast", "slow"], inputsJoinType: "outer", joinWindowMs },
      ],
      output: { steps: ["j"] },
    });
    // slow answers 200 ms after fast: a 20 ms window closes first, a 2 s window does not.
    const short = await run(spec(20), [int32("X", [1])]);
    expect(short.outputs?.map((t) => t.name)).toEqual(["OUT_OUT_X"]);
    const long = await run(spec(2000), [int32("X", [1])]);
    expect(long.outputs?.map((t) => t.name)).toEqual(["OUT_OUT_X", "OUT_SLOW_X"]);
  });

  it.each([
    [5, ["OUT_POS"]],
    [-5, ["OUT_NEG"]],
  ])("should route on which tensor a step emitted (input %i)", async (x, expected) => {
    const { outputs, trace } = await run(
      {
        steps: [
          { name: "router", model: "route" },
          { name: "pos", model: "echo", inputs: ["router.outputs.POS"] },
          { name: "neg", model: "echo", inputs: ["router.outputs.NEG"] },
        ],
        output: { steps: ["pos", "neg"], stepsJoin: "any" },
      },
      [int32("X", [x])],
    );
    expect(outputs?.map((t) => t.name)).toEqual(expected);
    const skipped = x > 0 ? "neg" : "pos";
    expect(trace.steps.get(skipped)?.skipped).toBe(true);
  });

  it("should run a step only when its triggers arrive, without passing them", async () => {
    const spec = (trigger: string) => ({
      steps: [
        { name: "router", model: "route" },
        { name: "gated", model: "echo", triggers: [trigger] },
      ],
      output: { steps: ["gated"] },
    });
    const fired = await run(spec("router.outputs.POS"), [int32("X", [3])]);
    expect(fired.outputs?.map((t) => t.name)).toEqual(["OUT_X"]);
    expect(valuesOf(fired.outputs, "OUT_X")).toEqual([3]);
    await expect(run(spec("router.outputs.NEG"), [int32("X", [3])])).rejects.toThrow(
      /produced no output: the output's inner join over gated was not met/,
    );
  });

  it("should fail the request with the failing step named and its code kept", async () => {
    const err = await run({ steps: [{ name: "s", model: "fail" }], output: { steps: ["s"] } }, [
      int32("X", [1]),
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TensorwireError);
    expect((err as TensorwireError).code).toBe("invalid_argument");
    expect((err as Error).message).toBe("pipeline 'p' step 's' (model 'fail'): bad input");
  });

  it("should reject two inputs of one name", async () => {
    await expect(
      run(
        {
          steps: [
            { name: "a", model: "echo" },
            { name: "b", model: "echo" },
            { name: "j", model: "echo", inputs: ["a", "b"] },
          ],
          output: { steps: ["j"] },
        },
        [int32("X", [1])],
      ),
    ).rejects.toThrow(/two inputs are named 'OUT_X': rename one with tensorMap/);
  });

  it("should run every step of a pipeline without output and resolve with undefined", async () => {
    const { outputs, calls } = await run(
      {
        steps: [
          { name: "a", model: "echo" },
          { name: "b", model: "slowEcho", inputs: ["a"] },
        ],
      },
      [int32("X", [1])],
    );
    expect(outputs).toBeUndefined();
    expect(Object.fromEntries(calls)).toEqual({ echo: 1, slowEcho: 1 });
  });
});

describe("joinArrivals()", () => {
  const never = undefined;
  it.each([
    ["inner", [1, 2], [1, 2]],
    ["inner", [1, never], undefined],
    ["any", [never, 2], [2]],
    ["any", [never, never], undefined],
    ["outer", [never, 2, 3], [2, 3]],
    ["outer", [never, never], undefined],
  ] as const)("%s over %j should give %j", async (type, arrivals, expected) => {
    const joined = await joinArrivals(
      arrivals.map((a) => Promise.resolve(a)),
      type,
      1000,
    );
    expect(joined).toEqual(expected);
  });
});
