// tensorwire in its own process for the benchmarks. argv[2]: JSON of startServer options.
import { startServer } from "@tensorwire/server";

const options = JSON.parse(process.argv[2] ?? "{}");
const server = await startServer({ logLevel: "warn", ...options, port: 0, host: "127.0.0.1" });
console.log(`READY ${server.port}`);
process.on("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
