import type { JsonValue } from "@tensorwire/codec";

/**
 * What a model's config declares beyond its tensors and runtime, which some protocols act on. The
 * repository parses them (`repository/model-config.ts`), the registry keeps them with the loaded
 * model, and protocols read them through `DataPlane.describe`.
 */

export const explainerKinds = ["constant", "predictions"] as const;

/** What `:explain` answers: a constant JSON response, or the model's predictions as explanations. */
export type ExplainerConfig =
  | {
      /** Always the same answer. */
      readonly kind: "constant";
      /** The JSON `:explain` answers. */
      readonly response: JsonValue;
    }
  | {
      /** The model's predictions, as `:predict` would answer them. */
      readonly kind: "predictions";
    };

export const validationOps = [">", ">=", "<", "<=", "==", "!="] as const;

/**
 * A Wallaroo-style validation: a row is anomalous for it when any element of the row's `column`
 * (`in.<input>` or `out.<output>`, the result column names) compares true against `value`.
 */
export interface ValidationConfig {
  /** Reported as `anomaly.<name>`; "count" is taken by `anomaly.count`, as in Wallaroo. */
  readonly name: string;
  /** The result column compared: `in.<input>` or `out.<output>`. */
  readonly column: string;
  /** The comparison. */
  readonly op: (typeof validationOps)[number];
  /** The number compared against. */
  readonly value: number;
}
