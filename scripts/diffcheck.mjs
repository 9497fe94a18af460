// Fails when the working tree differs from the last commit, e.g. after `npm run generate` rewrote
// committed generated code. Prints the difference so CI logs show what drifted.
import { execFileSync } from "node:child_process";

const status = execFileSync("git", ["status", "--porcelain"], { encoding: "utf8" });
if (status.trim() !== "") {
  console.error("The working tree changed; generated code is out of date or was edited by hand:");
  console.error(status);
  console.error(execFileSync("git", ["--no-pager", "diff", "--stat"], { encoding: "utf8" }));
  console.error(execFileSync("git", ["--no-pager", "diff"], { encoding: "utf8" }).slice(0, 20_000));
  process.exit(1);
}
console.log("diffcheck: working tree clean");
