/**
 * Resolves worker_threads / piscina entry points.
 *
 * Production runs compiled `.js` from `dist/`, where a worker starts its module directly. Tests
 * and benches run the `.ts` sources under tsx, and Node 20 does not re-register tsx inside a
 * worker, so a `.ts` worker starts through its sibling `<name>.tsx-entry.mjs`, which registers tsx
 * and imports the module (forwarding its default export for piscina).
 */
export function workerModuleUrl(fromUrl: string, relativeNoExt: string): URL {
  return new URL(fromUrl.endsWith(".ts") ? `${relativeNoExt}.tsx-entry.mjs` : `${relativeNoExt}.js`, fromUrl);
}

/** A sibling module with the caller's own extension (for imports, not for worker entries). */
export function siblingModuleUrl(fromUrl: string, relativeNoExt: string): URL {
  const ext = fromUrl.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`${relativeNoExt}${ext}`, fromUrl);
}
