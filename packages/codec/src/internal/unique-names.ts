import { invalidArgument } from "../error.js";

/** Inputs, outputs and requested outputs each need distinct names; the first repeat is an error. */
export function checkUniqueNames(items: readonly { readonly name: string }[], what: string): void {
  const seen = new Set<string>();
  for (const { name } of items) {
    if (seen.has(name)) {
      throw invalidArgument(`duplicate ${what} '${name}'`, {
        tensor: name,
        field: what === "input" ? "inputs" : "outputs",
      });
    }
    seen.add(name);
  }
}
