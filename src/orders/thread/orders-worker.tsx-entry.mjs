// Source-mode entry of orders-worker.ts (see src/runtime/module-file.ts).
import { loadTsWorker } from "../../runtime/tsx-worker-entry.mjs";

export default await loadTsWorker(new URL("./orders-worker.ts", import.meta.url));
