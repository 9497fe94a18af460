/**
 * The `/v1/models/...` URL space KServe V1 and TF-Serving share:
 * `/v1/models/{name}[/versions/{v} | /labels/{l}][/metadata][:verb]`. Hopsworks proxies TF-Serving
 * as `/hopsworks-api/api/project/{id}[/inference]/models/{name}:verb`, read the same way.
 */
export interface V1Path {
  readonly name: string;
  readonly version?: string;
  readonly label?: string;
  /** `predict`, `classify`, `regress`, `explain`, ...; undefined for GET paths. */
  readonly verb?: string;
  readonly metadata: boolean;
}

/** The segments after `models`, or undefined when the path is not in the v1 model space. */
export function v1ModelSegments(path: readonly string[]): string[] | undefined {
  if (path[1] === "v1" && path[2] === "models") {
    return path.slice(3);
  }
  if (path[1] === "hopsworks-api" && path[2] === "api" && path[3] === "project") {
    // Hopsworks' inference docs have used both `.../project/{id}/models/` and, later,
    // `.../project/{id}/inference/models/`.
    if (path[5] === "models") {
      return path.slice(6);
    }
    if (path[5] === "inference" && path[6] === "models") {
      return path.slice(7);
    }
  }
  return undefined;
}

export function parseV1Path(segments: readonly string[]): V1Path | undefined {
  const s = [...segments];
  let verb: string | undefined;
  const last = s[s.length - 1];
  const colon = last === undefined ? -1 : last.lastIndexOf(":");
  if (last !== undefined && colon >= 0) {
    verb = last.slice(colon + 1);
    s[s.length - 1] = last.slice(0, colon);
    // Seldon's executor also accepts `/v1/models/{m}/:predict`.
    if (s[s.length - 1] === "" && s.length > 1) {
      s.pop();
    }
  }
  const name = s[0];
  if (name === undefined || name === "") {
    return undefined;
  }
  let rest = s.slice(1);
  let version: string | undefined;
  let label: string | undefined;
  if ((rest[0] === "versions" || rest[0] === "labels") && rest[1] !== undefined && rest[1] !== "") {
    if (rest[0] === "versions") {
      version = rest[1];
    } else {
      label = rest[1];
    }
    rest = rest.slice(2);
  }
  const metadata = rest.length === 1 && rest[0] === "metadata";
  if (rest.length > 0 && !metadata) {
    return undefined;
  }
  if (metadata && verb !== undefined) {
    return undefined;
  }
  return {
    name,
    ...(version === undefined ? {} : { version }),
    ...(label === undefined ? {} : { label }),
    ...(verb === undefined ? {} : { verb }),
    metadata,
  };
}
