/**
 * The audit trail (io thread): one structured log line per order sent / acknowledged / rejected /
 * refused / canceled / amended, fill, transfer, settlement, breaker change, kill switch change and
 * control action — each with `audit: "<what>"` so `grep '"audit"'` gives the whole trail, and the
 * event's `seq` on /events so a line and its event can be matched — and every applied fill
 * appended to `fills.ndjson` in the run directory.
 *
 * Events come from the orders thread through the EventRing (already deduplicated: a fill is
 * applied, and so reported, once). Decisions, HOLD counts, positions, P&L and feed events are not
 * audit records (they are on /events and in /stats). Keys and signatures never appear here.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { EngineEvent } from "../events/engine-event.js";
import { formatHundredths, formatMicros, formatTicks } from "../kalshi/units.js";
import type { ControlAction, ControlCaller } from "../server/types.js";

export interface AuditLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

/** Event kinds that are not audit records (high-rate or derived state). */
const NOT_AUDITED = new Set<string>(["decision", "holds", "position", "pnl", "feed"]);

export const FILLS_FILE = "fills.ndjson";

export class AuditTrail {
  private fills: WriteStream | null = null;

  constructor(
    private readonly log: AuditLogger,
    /** directory of this run; fills.ndjson goes there (absent: no file) */
    readonly runDir?: string,
  ) {
    if (runDir !== undefined) {
      mkdirSync(runDir, { recursive: true });
      this.fills = createWriteStream(join(runDir, FILLS_FILE), { flags: "a" });
      this.fills.on("error", (e) => {
        this.log.warn({ err: e.message, file: join(runDir, FILLS_FILE) }, "fills file not writable");
        this.fills = null;
      });
    }
  }

  /** One engine event from the orders thread (decoded). */
  event(e: EngineEvent): void {
    if (NOT_AUDITED.has(e.kind)) return;
    switch (e.kind) {
      case "order":
        this.log.info(
          {
            audit: "order",
            seq: e.seq,
            status: e.status,
            market: e.market,
            side: e.side,
            action: e.action,
            price: formatTicks(e.priceTicks || 0),
            count: formatHundredths(e.countHundredths),
            client_order_id: e.clientOrderId,
            order_id: e.orderId,
            ...(e.reason ? { reason: e.reason } : {}),
          },
          `order ${e.status}`,
        );
        return;
      case "fill": {
        const record = {
          ts: new Date(Math.floor(e.tsUs / 1000)).toISOString(),
          fill_id: e.fillId,
          order_id: e.orderId,
          market: e.market,
          side: e.side,
          action: e.action,
          price: formatTicks(e.priceTicks),
          count: formatHundredths(e.countHundredths),
          fee: formatMicros(e.feeMicros),
        };
        this.log.info({ audit: "fill", seq: e.seq, ...record }, "fill");
        this.fills?.write(`${JSON.stringify(record)}\n`);
        return;
      }
      case "breaker":
        this.log.warn(
          { audit: "breaker", seq: e.seq, name: e.name, state: e.state, reason: e.reason },
          `breaker ${e.state}`,
        );
        return;
      case "kill":
        this.log.warn(
          { audit: "kill_switch", seq: e.seq, engaged: e.engaged, reason: e.reason },
          e.engaged ? "kill switch engaged" : "kill switch released",
        );
        return;
      default: {
        // kinds added later (transfers, settlements, …) are audited as they come
        const { kind: _kind, ...fields } = e as EngineEvent & Record<string, unknown>;
        this.log.info({ audit: e.kind, ...fields }, e.kind);
      }
    }
  }

  /** A control action and who asked for it (authenticated by the control token). */
  control(action: ControlAction, caller: ControlCaller | undefined, outcome: object | Error): void {
    const who = {
      remote: caller?.remote ?? "in-process",
      token_id: caller?.tokenId ?? "",
      agent: caller?.agent ?? "",
    };
    if (outcome instanceof Error)
      this.log.warn({ audit: "control", action, ...who, error: outcome.message }, `control ${action} failed`);
    else this.log.info({ audit: "control", action, ...who, result: outcome }, `control ${action}`);
  }

  close(): Promise<void> {
    const f = this.fills;
    this.fills = null;
    if (f === null) return Promise.resolve();
    return new Promise((resolve) => f.end(() => resolve()));
  }
}
