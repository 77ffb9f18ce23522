// Source-mode entry of recorder-worker.ts (see src/runtime/module-file.ts).
import { loadTsWorker } from "../runtime/tsx-worker-entry.mjs";

await loadTsWorker(new URL("./recorder-worker.ts", import.meta.url));
