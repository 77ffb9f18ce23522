// Source-mode entry of data-worker.ts (see src/runtime/module-file.ts): registers tsx in the
// worker thread, then loads the TypeScript module.
import { loadTsWorker } from "../../src/runtime/tsx-worker-entry.mjs";

await loadTsWorker(new URL("./data-worker.ts", import.meta.url));
