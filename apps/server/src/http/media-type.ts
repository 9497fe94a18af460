/** The media type of a Content-Type or Accept entry, lower-cased, and its parameters. */
export function mediaType(value: string): { readonly type: string; readonly params: Map<string, string> } {
  const [type = "", ...rest] = value.split(";");
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq > 0) {
      params.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ""),
      );
    }
  }
  return { type: type.trim().toLowerCase(), params };
}
