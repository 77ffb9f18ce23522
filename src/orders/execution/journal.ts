/**
 * The order journal of the orders thread: an append-only NDJSON file, fsync'd before any order
 * request leaves the process.
 *
 * Why this shape: correctness-rules.md rule 15 needs exactly one guarantee — a `client_order_id` and its
 * intent (market, side, price, count, time) are durable BEFORE the HTTP request, so after a crash
 * or a timeout the engine asks the exchange about THAT id instead of sending a new one. An
 * embedded database would need a native build and buys nothing here; an fsync'd append-only log
 * gives the guarantee with one write + one fsync per batch. NDJSON keeps it greppable; a torn
 * last line (crash mid-write) is detected on reopen, dropped and truncated away, so the next
 * append starts on a clean line.
 *
 * Writes are group-committed: records appended while an fsync is in flight go out together in the
 * next write + fsync, and every caller's promise resolves only after its own record is synced.
 *
 * The file is the account's order history: mode 0600. Each open compacts it — every settled
 * intent (its outcome known) is folded into one `snapshot` line that only counts them, and the
 * unresolved intents are written again — into a temporary file that is fsync'd and renamed over
 * the journal, so a crash mid-compaction leaves the old journal whole. Startup reads only what
 * the previous run left unresolved plus what it appended, however long the account has traded.
 */
import { chmod, type FileHandle, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { BookSide } from "../../kalshi/vocabulary.js";
import type { EngineAction } from "../accounts/ledger.js";

/** Written and synced BEFORE the request is sent. */
export interface IntentRecord {
  t: "intent";
  op: "create" | "amend" | "cancel" | "transfer";
  /** the order's client_order_id; a transfer's own id (transfers.ts) */
  cid: string;
  /** amend: the `updated_client_order_id` */
  newCid?: string;
  tsMs: number;
  ticker: string;
  action?: EngineAction;
  side?: BookSide;
  yesPriceTicks?: number;
  countHundredths?: number;
  /** the exchange order id, for amend / cancel */
  orderId?: string;
  /** transfer: from which shard to which, how much (micros) */
  fromShard?: number;
  toShard?: number;
  amountMicros?: number;
}

export type OutcomeResult =
  /** create acked (resting or filled); amend / cancel applied */
  | "accepted"
  /** the exchange refused it; nothing rests */
  | "rejected"
  /** timeout / reset: resolution by client_order_id pending */
  | "unknown"
  /** reconciliation found it (see orderId) or found nothing (`rejected`) */
  | "resolved";

/** Appended after the answer (or after reconciliation). */
export interface OutcomeRecord {
  t: "outcome";
  cid: string;
  tsMs: number;
  result: OutcomeResult;
  orderId?: string;
  code?: string;
}

/** First line of a compacted journal: how many settled intents were folded away, in all. */
export interface SnapshotRecord {
  t: "snapshot";
  cid: "";
  tsMs: number;
  settledIntents: number;
}

export type JournalRecord = IntentRecord | OutcomeRecord | SnapshotRecord;

const FILE_MODE = 0o600;

export interface JournalReplay {
  records: JournalRecord[];
  /** intents whose last outcome is missing or `unknown`: resolve by client_order_id at start */
  unresolved: Map<string, IntentRecord>;
  /** bytes of a torn last line that were dropped */
  tornBytes: number;
  /** complete lines that did not parse (should be 0) */
  corruptLines: number;
  /** intents settled in earlier runs (folded into the snapshot) plus those settled in this file */
  settledIntents: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class OrderJournal {
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  syncs = 0;
  appended = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
  ) {}

  /** Opens (creating if needed), replays, and truncates a torn last line. */
  static async open(path: string): Promise<{ journal: OrderJournal; replay: JournalReplay }> {
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      data = Buffer.alloc(0);
    }
    const replay = replayBuffer(data);
    if (data.length > 0) await compact(path, replay);
    const fh = await open(path, "a+", FILE_MODE);
    await chmod(path, FILE_MODE); // a journal created before this rule was 0644
    return { journal: new OrderJournal(fh, path), replay };
  }

  /** Appends one record; resolves after it is written AND fsync'd. */
  append(record: JournalRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error("journal: closed"));
    this.pending.push(`${JSON.stringify(record)}\n`);
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.flushing === null) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.join("");
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await this.fh.appendFile(batch, "utf8");
        await this.fh.sync();
        this.syncs++;
        this.appended += waiters.length;
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushing !== null) await this.flushing;
    await this.fh.close();
  }
}

/** Parses a journal image; a last line without its newline is torn and is not a record. */
export function replayBuffer(data: Buffer): JournalReplay {
  const lastNl = data.lastIndexOf(10);
  const completeEnd = lastNl + 1; // 0 when there is no newline at all
  const tornBytes = data.length - completeEnd;
  const records: JournalRecord[] = [];
  let corruptLines = 0;
  const text = data.subarray(0, completeEnd).toString("utf8");
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    try {
      const r = JSON.parse(line) as JournalRecord;
      if (r && (r.t === "intent" || r.t === "outcome" || r.t === "snapshot") && typeof r.cid === "string")
        records.push(r);
      else corruptLines++;
    } catch {
      corruptLines++;
    }
  }
  const intents = new Map<string, IntentRecord>();
  const unresolved = new Map<string, IntentRecord>();
  let settledBefore = 0;
  for (const r of records) {
    if (r.t === "snapshot") settledBefore += r.settledIntents;
    else if (r.t === "intent") {
      intents.set(r.cid, r);
      unresolved.set(r.cid, r);
    } else if (r.result === "unknown") {
      const i = intents.get(r.cid);
      if (i !== undefined) unresolved.set(r.cid, i);
    } else {
      unresolved.delete(r.cid);
    }
  }
  return {
    records,
    unresolved,
    tornBytes,
    corruptLines,
    settledIntents:
      settledBefore + intents.size - [...unresolved.keys()].filter((c) => intents.has(c)).length,
  };
}

/**
 * Rewrites the journal as one snapshot line plus the unresolved intents (temporary file, fsync,
 * rename, fsync of the directory). A torn last line is dropped with the rest of the settled past.
 */
async function compact(path: string, replay: JournalReplay): Promise<void> {
  const lines = [
    JSON.stringify({ t: "snapshot", cid: "", tsMs: Date.now(), settledIntents: replay.settledIntents }),
    ...[...replay.unresolved.values()].map((r) => JSON.stringify(r)),
  ];
  const tmp = `${path}.compacting`;
  const fh = await open(tmp, "w", FILE_MODE);
  try {
    await fh.writeFile(`${lines.join("\n")}\n`, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
