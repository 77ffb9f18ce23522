// Source-mode entry of decide-worker.ts (see src/runtime/module-file.ts).
import { loadTsWorker } from "../runtime/tsx-worker-entry.mjs";

export default await loadTsWorker(new URL("./decide-worker.ts", import.meta.url));
