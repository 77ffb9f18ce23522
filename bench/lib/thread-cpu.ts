/**
 * CPU time of the calling thread in ns (Linux: /proc/thread-self/schedstat, first field), or
 * undefined elsewhere. Unlike wall time it does not count time the thread waited for a core, and
 * unlike process.cpuUsage() it does not count the process's other threads — what a bench needs to
 * charge one thread (io) with its own work on a loaded machine.
 */
import { readFileSync } from "node:fs";

export function threadCpuNs(): number | undefined {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
  } catch {
    return undefined;
  }
}
