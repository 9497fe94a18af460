/**
 * A module imported at its first use rather than at start: `lazy(() => import("x"))` returns the
 * function that imports it once and hands every caller the same promise. The server's start
 * imports only what the default zoo and a first REST inference need; a dialect's codec, Connect
 * or Apache Arrow load with the first request that needs them.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}
