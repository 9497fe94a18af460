// The image's HEALTHCHECK: exit 0 when the server answers GET /v2/health/ready with 200. Reads the
// port (and credentials, for --protect-health) from the TENSORWIRE_* variables the server reads.
// A server started with --tls-cert is probed over HTTPS without verifying its certificate: the
// probe runs inside the container, against 127.0.0.1, where the certificate's names do not apply.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const env = process.env;
const tls = Boolean(env.TENSORWIRE_TLS_CERT);
const headers = {};
if (env.TENSORWIRE_AUTH_TOKEN) {
  headers.authorization = `Bearer ${env.TENSORWIRE_AUTH_TOKEN}`;
} else if (env.TENSORWIRE_API_KEY) {
  headers["x-api-key"] = env.TENSORWIRE_API_KEY;
}
const request = tls ? httpsRequest : httpRequest;
const req = request(
  {
    host: "127.0.0.1",
    port: Number(env.TENSORWIRE_PORT || 8080),
    path: "/v2/health/ready",
    headers,
    timeout: 2000,
    rejectUnauthorized: false,
  },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on("timeout", () => req.destroy(new Error("timed out")));
req.on("error", (err) => {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
});
req.end();
