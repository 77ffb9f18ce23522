/**
 * `verify`: the proof that what the policy saw live is what training sees. For every decision in
 * the log's decision segments (HOLD included), replay the recorded feed through the engine's own
 * book, temporal and observation code up to exactly the book state the decision recorded (the
 * market's applied-update count), rebuild the observation, run the recorded model on it, and
 * compare with what was recorded live: the observation float32 for float32, and the action.
 *
 * Limit: features 36–51 (portfolio and open orders, observation-v1.md §7–8) depend on the
 * account, not on the feed; they are taken from the live record, so the model still sees exactly
 * the live row, and only the 36 feed-derived values are rebuilt independently.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MarketDirectory } from "../book/market-directory.js";
import { scanEventLog } from "../events/feed-log-codec.js";
import { FEATURE_NAMES, OBSERVATION_SIZE, PORTFOLIO_OFFSET } from "../features/names.js";
import { ReplaySession } from "../features/replay.js";
import { PortfolioTable } from "../orders/accounts/portfolio-table.js";
import { createPolicy, type PolicyConfig } from "../policy/create-policy.js";
import { decodeDecisionRecord, type LoggedDecision } from "./decision-log.js";
import { type LogReadStats, logFrames } from "./log-reader.js";
import { SESSIONS_FILE } from "./recorder.js";
import { listSegments } from "./segments.js";

export interface Mismatch {
  market: string;
  applied_count: number;
  book_seq: number;
  field: string;
  live: number | string;
  replay: number | string;
}

export interface VerifySummary {
  decisions: number;
  non_hold: number;
  verified: number;
  mismatches: number;
  first_mismatches: Mismatch[];
  model_sha256: string | null;
  torn_tails: number;
}

/** A log that cannot be verified as given (no run session, model changed, …): a user error. */
export class VerifyInputError extends Error {
  override readonly name = "VerifyInputError";
}

interface RunSession {
  policy: PolicyConfig & { model_sha256?: string; model_path?: string };
}

function runSession(dir: string): RunSession {
  let text: string;
  try {
    text = readFileSync(join(dir, SESSIONS_FILE), "utf8");
  } catch {
    throw new VerifyInputError(`${dir}: no ${SESSIONS_FILE} (not a log written by run --record)`);
  }
  const runs = text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { command?: string; policy?: Record<string, unknown> })
    .filter((s) => s.command === "run");
  if (runs.length !== 1)
    throw new VerifyInputError(
      `${dir}: verify needs the log of exactly one run --record session, found ${runs.length}`,
    );
  const p = runs[0]!.policy;
  if (!p) throw new VerifyInputError(`${dir}: the run session does not name its policy`);
  if (p.kind === "onnx") {
    return {
      policy: {
        kind: "onnx",
        modelPath: String(p.model_path),
        model_sha256: String(p.model_sha256),
        ...(typeof p.size5_contracts === "number" ? { size5Contracts: p.size5_contracts } : {}),
      },
    };
  }
  return { policy: p as unknown as RunSession["policy"] };
}

function sha256Of(path: string): string {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    throw new VerifyInputError(`model ${path}: cannot be read (give it with --model)`);
  }
}

export async function verifyLog(
  dir: string,
  options: { model?: string; capacity: number },
): Promise<VerifySummary> {
  const session = runSession(dir);
  let policyConfig: PolicyConfig = session.policy;
  let modelSha: string | null = null;
  if (session.policy.kind === "onnx") {
    const path = options.model ?? session.policy.modelPath;
    modelSha = sha256Of(path);
    if (modelSha !== session.policy.model_sha256)
      throw new VerifyInputError(
        `model ${path}: SHA-256 ${modelSha} is not the recorded model's ${session.policy.model_sha256}`,
      );
    policyConfig = { ...session.policy, modelPath: path };
  }
  const byMarket = new Map<string, LoggedDecision[]>();
  let decisions = 0;
  let nonHold = 0;
  for (const seg of listSegments(dir, "decisions")) {
    scanEventLog(readFileSync(seg.path), (body) => {
      const d = decodeDecisionRecord(body);
      decisions++;
      if (d.action !== 0) nonHold++;
      const list = byMarket.get(d.market) ?? [];
      list.push(d);
      byMarket.set(d.market, list);
    });
  }
  for (const list of byMarket.values())
    list.sort((a, b) => a.appliedCount - b.appliedCount || a.decidedUs - b.decidedUs);

  const summary: VerifySummary = {
    decisions,
    non_hold: nonHold,
    verified: 0,
    mismatches: 0,
    first_mismatches: [],
    model_sha256: modelSha,
    torn_tails: 0,
  };
  const mismatch = (d: LoggedDecision, field: string, live: number | string, replay: number | string) => {
    summary.mismatches++;
    if (summary.first_mismatches.length < 10)
      summary.first_mismatches.push({
        market: d.market,
        applied_count: d.appliedCount,
        book_seq: d.bookSeq,
        field,
        live,
        replay,
      });
  };

  const policy = await createPolicy(policyConfig);
  const BATCH = 512;
  const batch = new Float32Array(BATCH * OBSERVATION_SIZE);
  const actions = new Int32Array(BATCH);
  let queued: LoggedDecision[] = [];
  const runPolicy = async () => {
    if (queued.length === 0) return;
    await policy.decide(batch, queued.length, actions);
    for (let r = 0; r < queued.length; r++) {
      const d = queued[r]!;
      if (actions[r] !== d.actionIndex) mismatch(d, "action", d.actionIndex, actions[r]!);
      else summary.verified++;
    }
    queued = [];
  };

  const directory = new MarketDirectory(options.capacity);
  const next = new Map<string, number>(); // index of each market's next decision to check
  const replay = new ReplaySession({
    directory,
    portfolio: PortfolioTable.create(options.capacity),
    observe: (m) => byMarket.has(directory.tickerOf(m)),
    onObservation: (m, row) => {
      const ticker = directory.tickerOf(m);
      const list = byMarket.get(ticker)!;
      const applied = replay.book.appliedCount(m);
      let i = next.get(ticker) ?? 0;
      for (; i < list.length && list[i]!.appliedCount <= applied; i++) {
        const d = list[i]!;
        if (d.appliedCount < applied) {
          mismatch(d, "book_state", `applied ${d.appliedCount}`, "never reached in the replay");
          continue;
        }
        const slot = queued.length * OBSERVATION_SIZE;
        let rowOk = true;
        for (let f = 0; f < PORTFOLIO_OFFSET; f++) {
          if (row[f] !== d.observation[f]) {
            if (rowOk) mismatch(d, FEATURE_NAMES[f] ?? String(f), d.observation[f]!, row[f]!);
            rowOk = false;
          }
          batch[slot + f] = row[f]!;
        }
        // account-dependent blocks: as recorded (see the module comment)
        for (let f = PORTFOLIO_OFFSET; f < OBSERVATION_SIZE; f++) batch[slot + f] = d.observation[f]!;
        if (rowOk) queued.push(d);
        if (queued.length === BATCH) throw new Error("verify: policy batch overflow"); // drained below
      }
      next.set(ticker, i);
    },
  });
  const stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] };
  for await (const f of logFrames(dir, stats)) {
    replay.applyFrame(f.frame, f.recvMs);
    if (queued.length >= BATCH - 64) await runPolicy();
  }
  await runPolicy();
  await policy.release();
  summary.torn_tails = stats.tornTails.length;
  for (const [ticker, list] of byMarket)
    for (let i = next.get(ticker) ?? 0; i < list.length; i++)
      mismatch(list[i]!, "book_state", `applied ${list[i]!.appliedCount}`, "not in the recorded feed");
  return summary;
}
