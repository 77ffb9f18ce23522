import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Engine } from "../../src/engine/engine.js";
import { startPaperExchange } from "../../src/paper/index.js";
import { collectEvents, inProcessEngineOptions, OPEN_RISK, waitFor } from "./helpers.js";

/**
 * A key refused for a category (lapsed location attestation, kalshi-api-notes.md): the paper
 * exchange answers 403 `location_attestation_required` to this key's creates in the Sports series.
 * Over real sockets the engine must report each refused market once (a `breaker` event
 * `market:<ticker>` on /events), disable it (later decisions dropped as
 * `drops{reason=market_refused}`), never send it another create, and keep trading the others.
 */
const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const REFUSED_CATEGORY = "Sports";

describe("engine with a key refused for a category", () => {
  it("reports each refused market once, disables it and trades the rest", { timeout: 240_000 }, async () => {
    const px = await startPaperExchange({
      markets: 18,
      ratePerSec: 400,
      seed: 11,
      shards: 3,
      rateLimitTier: "premier",
      refusedCategories: [REFUSED_CATEGORY],
    });
    cleanups.push(() => px.close());
    const user = px.keyId;
    for (const k of [1, 2]) assert.ok(px.core.deposit(user, 2_000_000_000, k).ok);
    const categoryOf = new Map(px.core.markets().map((m) => [m.ticker, m.category]));
    assert.ok(
      [...categoryOf.values()].includes(REFUSED_CATEGORY),
      "some markets are in the refused category",
    );
    // the exchange's record: every create of ours per market, and which it refused for the category
    const creates = new Map<string, number>();
    const refusedByExchange = new Set<string>();
    let acceptedElsewhere = 0;
    const core = px.core;
    const createOrder = core.createOrder.bind(core);
    core.createOrder = (userId, req) => {
      const r = createOrder(userId, req);
      if (userId !== user) return r;
      creates.set(req.ticker, (creates.get(req.ticker) ?? 0) + 1);
      if (!r.ok && r.error.status === 403) refusedByExchange.add(req.ticker);
      if (r.ok && categoryOf.get(req.ticker) !== REFUSED_CATEGORY) acceptedElsewhere++;
      return r;
    };
    const journalDir = mkdtempSync(join(tmpdir(), "market-refused-"));
    dirs.push(journalDir);
    const engine = await Engine.start(
      inProcessEngineOptions(px, {
        batchSize: 16,
        controlToken: "market-refused-control",
        orders: {
          strategy: "aggressive",
          throttleMs: 200,
          journalDir,
          reconcileEveryMs: 2_000,
          shutdownPolicy: "cancel_all",
          risk: OPEN_RISK,
        },
      }),
    );
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await engine.stop("test end");
    });
    const stream = await collectEvents(engine.statsUrl);
    cleanups.push(async () => stream.close());
    const events = stream.events;
    const drops = () => engine.counters.get("drops", { reason: "market_refused" });
    const progress = () =>
      JSON.stringify({ refused: [...refusedByExchange], acceptedElsewhere, marketRefusedDrops: drops() });

    // refusals from the exchange, trading elsewhere, and decisions for a refused market dropped
    await waitFor(
      async () => refusedByExchange.size >= 2 && acceptedElsewhere > 0 && drops() > 0,
      "refusals, orders elsewhere and a dropped decision",
      150_000,
    ).catch((e: unknown) => assert.fail(`${String(e)} ${progress()}`));
    // the breaker events of the refusals seen so far reach /events
    await waitFor(
      async () =>
        [...refusedByExchange].every((t) =>
          events.some((e) => e.kind === "breaker" && e.name === `market:${t}`),
        ),
      "a breaker event per refused market",
      30_000,
    ).catch((e: unknown) => assert.fail(`${String(e)} ${progress()}`));
    stopped = true;
    await engine.stop("test end");

    for (const ticker of refusedByExchange) {
      assert.equal(categoryOf.get(ticker), REFUSED_CATEGORY, `${ticker} is in the refused category`);
      assert.equal(creates.get(ticker), 1, `${ticker}: one create, never retried`);
      const reports = events.filter((e) => e.kind === "breaker" && e.name === `market:${ticker}`);
      assert.equal(reports.length, 1, `${ticker}: reported once`);
      const reason = reports[0]?.kind === "breaker" ? reports[0].reason : "";
      assert.match(reason, new RegExp(`market ${ticker} disabled: .*attestation`));
    }
  });
});
