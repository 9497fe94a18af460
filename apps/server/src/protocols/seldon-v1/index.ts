import type { DialectFactory } from "../dialect.js";
import { seldonRest } from "./rest.js";
import { createSeldonComponent } from "./seldon-component.js";

/** Seldon Core v1: the executor's and the python wrapper's REST APIs, and the `seldon.protos` services. */
export const seldonV1: DialectFactory = (deps) => {
  const component = createSeldonComponent(deps);
  return {
    name: "seldon-v1",
    rest: seldonRest(deps, component),
    async services() {
      const { registerSeldonServices } = await import("./grpc.js");
      return (router) => registerSeldonServices(router, component);
    },
  };
};
