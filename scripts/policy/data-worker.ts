/**
 * Worker thread of the trainer: generates the next epoch's observation rows while the main thread
 * trains on the current ones, so training uses both cores. Deterministic: the rows depend only on
 * (source, seed, rows), not on which thread makes them.
 */
import { parentPort } from "node:worker_threads";
import { generateObservations, type ObservationSource } from "./observation-sources.js";
import { Prng } from "./prng.js";

export interface DataRequest {
  id: number;
  source: ObservationSource;
  seed: number;
  rows: number;
}

export interface DataReply {
  id: number;
  x: Float32Array;
}

const port = parentPort;
if (port === null) throw new Error("data-worker.ts must run as a worker thread");
port.on("message", (req: DataRequest) => {
  const x = generateObservations(req.source, new Prng(req.seed), req.rows);
  const reply: DataReply = { id: req.id, x };
  port.postMessage(reply, [x.buffer as ArrayBuffer]);
});
