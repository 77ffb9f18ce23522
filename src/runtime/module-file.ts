/**
 * Resolves a sibling module for worker_threads / piscina entry points.
 *
 * Production runs compiled `.js` from `dist/`; tests and benches run the `.ts` sources under the
 * tsx loader (workers inherit `--import tsx` through execArgv). A worker entry must therefore
 * use the same extension as the module that spawns it.
 */
export function siblingModuleUrl(fromUrl: string, relativeNoExt: string): URL {
  const ext = fromUrl.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`${relativeNoExt}${ext}`, fromUrl);
}
