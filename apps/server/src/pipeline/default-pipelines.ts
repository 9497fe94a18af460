import { type PipelineSpec, parsePipelineSpec } from "./pipeline-spec.js";

/**
 * Seldon's `tfsimples` example as Seldon documents it in YAML, read into an object (so a start needs
 * no YAML parser; a test checks it against the YAML), plus `model: tfsimple` on each step: Seldon
 * would call models named tfsimple1 and tfsimple2, the zoo serves one `tfsimple`.
 * tfsimple1 adds and subtracts the pipeline inputs; tfsimple2 adds and subtracts those results,
 * so OUTPUT0 = 2·INPUT0 and OUTPUT1 = 2·INPUT1.
 */
const tfsimples = {
  apiVersion: "mlops.seldon.io/v1alpha1",
  kind: "Pipeline",
  metadata: { name: "tfsimples" },
  spec: {
    steps: [
      { name: "tfsimple1", model: "tfsimple" },
      {
        name: "tfsimple2",
        model: "tfsimple",
        inputs: ["tfsimple1.outputs.OUTPUT0", "tfsimple1.outputs.OUTPUT1"],
        tensorMap: { "tfsimple1.outputs.OUTPUT0": "INPUT0", "tfsimple1.outputs.OUTPUT1": "INPUT1" },
      },
    ],
    output: { steps: ["tfsimple2"] },
  },
};

/** The pipelines served with the default model zoo (they call only zoo models). */
export function defaultPipelines(): PipelineSpec[] {
  return [parsePipelineSpec(tfsimples)];
}
