// dependency-cruiser (`npm run depcheck`, a CI step): no import cycles in any package, and the
// server's layers (apps/server/src/README.md) import only downward.
//
// The server's layers, bottom to top; a module may import its own layer and the ones below it.
// Tests and test helpers (*.test.ts, testing/) are not part of the layering: they may start a
// whole server from the composition root, as the house style prefers real servers to mocks.
const layers = [
  "core",
  "runtime",
  "repository",
  "registry",
  "pipeline",
  "http",
  "protocols",
  "metrics|logging|inference-log",
  "kafka",
  "server",
];

const src = "^apps/server/src/";
/** Tests and test helpers, which the layer rules leave out. */
const testCode = "([.]test[.]ts$|/testing/)";

/** A rule per layer: nothing in it imports a layer above it. */
const layerRules = layers.slice(0, -1).map((layer, i) => ({
  name: `server-layer-${layer.split("|")[0]}`,
  comment: `apps/server/src/{${layer}} may import only ${layers.slice(0, i + 1).join(", ")} (apps/server/src/README.md)`,
  severity: "error",
  from: { path: `${src}(${layer})/`, pathNot: testCode },
  to: { path: `${src}(${layers.slice(i + 1).join("|")}|index[.]ts)(/|$)` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No file imports itself through others, type-only imports included.",
      severity: "error",
      from: { path: "^(packages/[^/]+|apps/[^/]+)/src/" },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: "server-protocols-over-data-plane",
      comment:
        "Protocols, HTTP plumbing, observers and Kafka speak to the DataPlane (core/) only: model extras and pipeline versions come from DataPlane.describe, never from the registry, repository or runtimes.",
      severity: "error",
      from: { path: `${src}(http|protocols|metrics|logging|inference-log|kafka)/`, pathNot: testCode },
      to: { path: `${src}(registry|repository|runtime)/` },
    },
    {
      name: "server-test-helpers-unshipped",
      comment: "Shipped server code never imports the test helpers.",
      severity: "error",
      from: { path: src, pathNot: testCode },
      to: { path: "/testing/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules|gen)/" },
    // Type-only imports count: a cycle of types is still a cycle between files.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    // Workspace packages resolve to their sources, as the test runner and typecheck see them.
    // (An ESM TypeScript import of `./x.js` resolves to `./x.ts` without configuration.)
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["source", "import", "node", "default"],
    },
  },
};
