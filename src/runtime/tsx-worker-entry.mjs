// Worker bootstrap used only when the engine runs from TypeScript sources (tests, benches, tsx).
// Node 20 does not re-run the parent's `--import tsx` inside worker threads, so a worker entry's
// sibling `<name>.tsx-entry.mjs` calls this to register tsx and load the real `.ts` module.
// Compiled builds start their `.js` workers directly and never load this file.
import { register } from "tsx/esm/api";

let registered = false;

/** Registers tsx (once per thread) and imports `entry`; returns its default export. */
export async function loadTsWorker(entry) {
  if (!registered) {
    register();
    registered = true;
  }
  const mod = await import(entry.href);
  return mod.default;
}
