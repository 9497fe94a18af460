// Health-check latency while other load runs: one GET /v2/health/live every 5 ms on a keep-alive
// HTTP/1.1 connection for argv[3] seconds; prints {"p50","p99","max","n"} in milliseconds.
import * as http from "node:http";

const port = Number(process.argv[2]);
const seconds = Number(process.argv[3] ?? 3);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const samples: number[] = [];
const end = performance.now() + seconds * 1000;

function once(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/v2/health/live", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(performance.now() - t0));
      })
      .on("error", reject);
  });
}

while (performance.now() < end) {
  samples.push(await once());
  await new Promise((r) => setTimeout(r, 5));
}
samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
console.log(JSON.stringify({ p50: at(0.5), p99: at(0.99), max: samples.at(-1), n: samples.length }));
agent.destroy();
