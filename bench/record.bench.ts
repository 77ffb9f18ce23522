/**
 * Recorder bench (issue 14): what recording costs the io thread. The live path per frame — stamp,
 * `FeedRecorder.recordFrameBytes` (copy into the FrameRing), parse + apply of the frame's copy in
 * the ring (`FeedApplier.applyFrameBytesAt`; without recording, `applyFrameBytes` of the
 * WebSocket's bytes) — over `orderbook_delta` frames for 1,000 markets,
 * alternately without and with recording while the writer thread encodes and writes segments to
 * a temporary directory. Frames arrive in turns of TURN_FRAMES (one socket read's worth) with a
 * microtask checkpoint between turns in both variants, as on io, so a turn's records are published
 * and a sleeping writer is woken as live (at most once per turn). Before each timed block the writer has drained the ring, so
 * no record is dropped and the cost measured is the full copy. Median of the blocks, as wall
 * time and as the io thread's own CPU time (the machine is shared: wall time also counts the
 * time io waited for a core, which the writer thread — and every other process — takes).
 * RECORD_HOT_BYTES=N sets the ring's hot region (FeedRecorder `hotRingBytes`) for a size sweep.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BookTable } from "../src/book/book-table.js";
import { FeedApplier } from "../src/book/feed-applier.js";
import { MarketDirectory } from "../src/book/market-directory.js";
import { FeedRecorder } from "../src/record/recorder.js";
import { makeDeltaStream } from "./lib/delta-stream.js";
import { threadCpuNs } from "./lib/thread-cpu.js";
import type { BenchOptions, BenchSection } from "./types.js";

const MARKETS = 1000;
const TURN_FRAMES = 16;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const blockFrames = options.quick ? 50_000 : 200_000;
  const blocks = options.quick ? 4 : 10;
  const stream = makeDeltaStream(MARKETS, blockFrames, 1);
  // as the ws client hands them: slices of the socket's reads, each after its frame header (4
  // bytes for a 126..65535-byte frame), so at any alignment
  const wire = Buffer.concat(stream.deltas.flatMap((d) => [Buffer.alloc(4), Buffer.from(d, "utf8")]));
  const deltas: Buffer[] = [];
  for (let at = 0; at < wire.length; ) {
    const length = Buffer.byteLength(stream.deltas[deltas.length]!, "utf8");
    deltas.push(wire.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  const dir = mkdtempSync(join(tmpdir(), "kalshi-engine-record-bench-"));
  const hot = process.env.RECORD_HOT_BYTES;
  const recorder = new FeedRecorder({
    dir,
    session: { command: "bench" },
    hotRingBytes: hot ? Number(hot) : undefined,
    onLog: () => {},
  });
  await recorder.ready;
  const freshApplier = () => {
    const applier = new FeedApplier(new MarketDirectory(MARKETS), BookTable.create(MARKETS));
    for (const s of stream.snapshots) applier.applyFrame(s, 0);
    return applier;
  };
  const plain: number[] = [];
  const recorded: number[] = [];
  const plainCpu: number[] = [];
  const recordedCpu: number[] = [];
  /** CPU time of the process's other threads (the writer; GC helpers) per frame */
  const plainOther: number[] = [];
  const recordedOther: number[] = [];
  let doorbells = 0;
  let sink = 0;
  for (let b = 0; b < blocks * 2; b++) {
    const record = b % 2 === 1;
    const applier = freshApplier();
    // let the writer drain the previous block (untimed)
    while (recorder.queuedBytes > 0) await new Promise((r) => setTimeout(r, 5));
    const rungBefore = recorder.doorbells;
    const p0 = process.cpuUsage();
    const c0 = threadCpuNs();
    const t0 = performance.now();
    for (let turn = 0; turn < deltas.length; turn += TURN_FRAMES) {
      const end = Math.min(deltas.length, turn + TURN_FRAMES);
      if (record) {
        for (let i = turn; i < end; i++) {
          const now = performance.now(); // io stamps every frame either way (IoFeed.frameBegin)
          // as IoFeed.onFrameBytes: a recorded frame is parsed from its copy in the ring
          sink += recorder.recordAndApply(applier, deltas[i]!, 1_773_153_000_000 + i, now, 1);
        }
      } else {
        for (let i = turn; i < end; i++) {
          const now = performance.now();
          sink += applier.applyFrameBytes(deltas[i]!, now);
        }
      }
      await null; // the end of io's turn: microtasks (the recorder's doorbell) run here
    }
    const ns = ((performance.now() - t0) * 1e6) / deltas.length;
    const c1 = threadCpuNs();
    const p1 = process.cpuUsage(p0);
    (record ? recorded : plain).push(ns);
    if (c0 !== undefined && c1 !== undefined) {
      (record ? recordedCpu : plainCpu).push((c1 - c0) / deltas.length);
      const otherNs = (p1.user + p1.system) * 1000 - (c1 - c0);
      (record ? recordedOther : plainOther).push(otherNs / deltas.length);
    }
    doorbells += recorder.doorbells - rungBefore;
  }
  const summary = await recorder.close();
  rmSync(dir, { recursive: true, force: true });
  if (sink === 42) process.stderr.write("");
  const plainNs = median(plain);
  const recordNs = median(recorded);
  const wallOverhead = recordNs / plainNs - 1;
  const cpu = plainCpu.length > 0 ? { plain: median(plainCpu), record: median(recordedCpu) } : undefined;
  const cpuOverhead = cpu ? cpu.record / cpu.plain - 1 : undefined;
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;
  const framesRecorded = blocks * blockFrames;
  const how = `median of ${blocks} alternating blocks of ${blockFrames} frames; ${summary.feed_records} frames written, ${summary.dropped} dropped, ${recorder.overflowRecords} through the ring's overflow region; ${doorbells} doorbells rung for ${framesRecorded} frames`;
  const rows: BenchSection["rows"] = [
    {
      name: `parse+apply orderbook_delta bytes, ${MARKETS} markets, ${TURN_FRAMES} frames per turn, no recording (wall)`,
      opsPerSec: 1e9 / plainNs,
      nsPerOp: plainNs,
    },
    {
      name: "… recording (FrameRing copy, parsed there; writer thread writes segments) (wall)",
      opsPerSec: 1e9 / recordNs,
      nsPerOp: recordNs,
      note: `${pct(wallOverhead)}; counts the time io waited for a core; ${how}`,
    },
  ];
  if (cpu && cpuOverhead !== undefined)
    rows.push(
      { name: "… no recording, io thread CPU time", opsPerSec: 1e9 / cpu.plain, nsPerOp: cpu.plain },
      {
        name: "… recording, io thread CPU time",
        opsPerSec: 1e9 / cpu.record,
        nsPerOp: cpu.record,
        target: "<= 10 % over no recording",
        met: cpuOverhead <= 0.1,
        note: `${pct(cpuOverhead)} (+${(cpu.record - cpu.plain).toFixed(0)} ns/frame); ${how}`,
      },
      {
        name: "… recording, the other threads' CPU time (the writer thread encoding and writing)",
        nsPerOp: median(recordedOther) - median(plainOther),
        note: "per frame, over the same blocks; on a 2-core machine it competes with io for a core",
      },
    );
  return {
    title: "Recorder: io cost of recording (parse + apply of the WebSocket's bytes, single thread)",
    rows,
    extra: {
      plainNs: plain,
      recordNs: recorded,
      plainCpuNs: plainCpu,
      recordCpuNs: recordedCpu,
      plainOtherCpuNs: plainOther,
      recordOtherCpuNs: recordedOther,
      bytesWritten: summary.bytes,
      doorbells,
    },
  };
}
