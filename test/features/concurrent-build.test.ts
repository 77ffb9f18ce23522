import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { loadPortfolioFile } from "../../src/features/portfolio-file.js";
import { ReplaySession } from "../../src/features/replay.js";
import { PortfolioTable } from "../../src/orders/accounts/portfolio-table.js";
import { siblingModuleUrl } from "../../src/runtime/module-file.js";
import { startModuleWorker } from "../shm/ts-worker.js";
import { delta, type Frame, snapshot } from "./frames.js";
import { T0 } from "./helpers.js";

const TICKERS = ["KXC-A", "KXC-B", "KXC-C", "KXC-D"];

function frames(count: number): Frame[] {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out: Frame[] = [];
  const books = TICKERS.map(() => new Map<string, number>());
  let seq = 0;
  TICKERS.forEach((t, i) => {
    const yes: Array<[string, string]> = [];
    const no: Array<[string, string]> = [];
    for (let k = 0; k < 30; k++) {
      yes.push([((300 + k * 5) / 1000).toFixed(4), "10.00"]);
      no.push([((400 + k * 5) / 1000).toFixed(4), "10.00"]);
      books[i].set(`yes${300 + k * 5}`, 1000);
      books[i].set(`no${400 + k * 5}`, 1000);
    }
    out.push(snapshot(T0, ++seq, t, yes, no));
  });
  for (let j = 0; j < count; j++) {
    const i = Math.floor(rand() * TICKERS.length);
    const side = rand() < 0.5 ? "yes" : "no";
    const tick = (side === "yes" ? 300 : 400) + Math.floor(rand() * 40) * 5;
    const key = `${side}${tick}`;
    const cur = books[i].get(key) ?? 0;
    const change = cur > 0 && rand() < 0.5 ? -Math.min(cur, 100 * (1 + Math.floor(rand() * 10))) : 100;
    books[i].set(key, cur + change);
    out.push(
      delta(T0 + j * 10, ++seq, TICKERS[i], side, (tick / 1000).toFixed(4), (change / 100).toFixed(2)),
    );
  }
  return out;
}

describe("observation builder across threads", () => {
  it("a worker building while io applies never sees a torn state: every row is one replay produced", async () => {
    const all = frames(30_000);
    // Sequential replay: the set of every valid observation of each market.
    const expected = new Map<string, Set<string>>();
    {
      const directory = new MarketDirectory(16);
      const portfolio = PortfolioTable.create(16);
      loadPortfolioFile(undefined, directory, portfolio);
      const session = new ReplaySession({
        directory,
        portfolio,
        onObservation: (m, row) => {
          const t = directory.tickerOf(m);
          if (!expected.has(t)) expected.set(t, new Set());
          expected.get(t)!.add(row.join(","));
        },
      });
      for (const f of all) session.applyFrame(f.frame, f.recvMs);
    }
    // Live: io (this thread) applies while a worker builds from the shared tables.
    const directory = new MarketDirectory(16);
    const portfolio = PortfolioTable.create(16);
    loadPortfolioFile(undefined, directory, portfolio);
    const io = new ReplaySession({ directory, portfolio });
    const markets = TICKERS.map((t) => directory.ensure(t));
    const stop = new SharedArrayBuffer(4);
    const worker = startModuleWorker(siblingModuleUrl(import.meta.url, "./build-worker"), {
      workerData: {
        book: io.book.shared,
        temporal: io.temporal.shared,
        portfolio: portfolio.shared,
        markets,
        stop,
        maxRows: 20_000,
      },
    });
    try {
      await once(worker, "message"); // ready
      const done = once(worker, "message");
      for (const f of all) io.applyFrame(f.frame, f.recvMs);
      Atomics.store(new Int32Array(stop), 0, 1);
      const [result] = (await done) as [
        { rows: Float32Array; marketOfRow: Int32Array; n: number; builds: number },
      ];
      assert.ok(result.n > 0, "the worker built observations");
      for (let r = 0; r < result.n; r++) {
        const ticker = directory.tickerOf(result.marketOfRow[r]);
        const row = result.rows.subarray(r * 52, r * 52 + 52).join(",");
        assert.ok(
          expected.get(ticker)!.has(row),
          `row ${r} of ${ticker} is not an observation replay produced`,
        );
      }
    } finally {
      await worker.terminate();
    }
  });
});
