/**
 * Portfolio file (observation-v1.md §7.1) → PortfolioTable. Cold path (CLI, tests, export): the
 * JSON is parsed once into exact integers (dollars → micros, contracts → hundredths, prices →
 * ticks) and written in one PortfolioTable write. Every ticker named in the file gets a market
 * index so it is marked (§4: a market never seen in the feed is marked at $0.50).
 */
import { readFileSync } from "node:fs";
import type { MarketDirectory } from "../book/market-directory.js";
import { countToHundredths, dollarsToMicros, dollarsToTicks, TICKS_PER_DOLLAR } from "../kalshi/units.js";
import { noOpenOrders } from "../orders/accounts/portfolio-table.js";
import type { OrderSummary, PortfolioWriter } from "./portfolio-reader.js";

export interface PortfolioPosition {
  ticker: string;
  contractsHundredths: number;
  costBasisMicros: number;
}

export interface PortfolioSpec {
  freeCashMicros: number;
  reservedCashMicros: number;
  positions: PortfolioPosition[];
  /** per ticker, the open-order summary of §8 */
  orders: Map<string, OrderSummary>;
}

/** The default portfolio: $1,000 free cash, nothing else. */
export function defaultPortfolio(): PortfolioSpec {
  return { freeCashMicros: 1_000_000_000, reservedCashMicros: 0, positions: [], orders: new Map() };
}

type Json = unknown;

function isObject(x: Json): x is Record<string, Json> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function money(x: Json, what: string): number {
  if (x === undefined || x === null) return 0; // §7.1: a missing field means 0
  if (typeof x !== "number" && typeof x !== "string") throw new Error(`portfolio: ${what} is not a number`);
  const micros = dollarsToMicros(x);
  if (Number.isNaN(micros)) throw new Error(`portfolio: ${what} = ${String(x)} is not a dollar amount`);
  return micros;
}

/** Parses the JSON text of a portfolio file. Throws with a precise message on invalid content. */
export function parsePortfolio(text: string): PortfolioSpec {
  const root: Json = JSON.parse(text);
  if (!isObject(root)) throw new Error("portfolio: top level must be a JSON object");
  const spec: PortfolioSpec = {
    freeCashMicros: money(root.free_cash, "free_cash"),
    reservedCashMicros: money(root.reserved_cash, "reserved_cash"),
    positions: [],
    orders: new Map(),
  };
  const positions = root.positions ?? {};
  if (!isObject(positions)) throw new Error("portfolio: positions must be an object keyed by ticker");
  for (const [ticker, p] of Object.entries(positions)) {
    if (!isObject(p)) throw new Error(`portfolio: positions.${ticker} must be an object`);
    const c = p.contracts ?? 0;
    if (typeof c !== "number" && typeof c !== "string")
      throw new Error(`portfolio: positions.${ticker}.contracts is not a number`);
    const contractsHundredths = countToHundredths(c);
    if (Number.isNaN(contractsHundredths))
      throw new Error(`portfolio: positions.${ticker}.contracts = ${String(c)} is not a multiple of 0.01`);
    spec.positions.push({
      ticker,
      contractsHundredths,
      costBasisMicros: money(p.cost_basis, `positions.${ticker}.cost_basis`),
    });
  }
  const orders = root.open_orders ?? [];
  if (!Array.isArray(orders)) throw new Error("portfolio: open_orders must be an array");
  for (let i = 0; i < orders.length; i++) addOrder(spec.orders, orders[i], i);
  return spec;
}

/** Folds one open order into its market's summary: newest by placed_ms, first listed on a tie (§8). */
function addOrder(summaries: Map<string, OrderSummary>, o: Json, i: number): void {
  const where = `open_orders[${i}]`;
  if (!isObject(o)) throw new Error(`portfolio: ${where} must be an object`);
  const { ticker, action, side, price } = o;
  const placedMs = o.placed_ms ?? 0;
  if (typeof ticker !== "string" || ticker === "") throw new Error(`portfolio: ${where}.ticker is missing`);
  if (action !== "buy" && action !== "sell")
    throw new Error(`portfolio: ${where}.action must be buy or sell`);
  if (side !== "yes" && side !== "no") throw new Error(`portfolio: ${where}.side must be yes or no`);
  if (typeof price !== "number" && typeof price !== "string")
    throw new Error(`portfolio: ${where}.price is not a number`);
  const ticks = dollarsToTicks(price);
  if (Number.isNaN(ticks))
    throw new Error(`portfolio: ${where}.price = ${String(price)} is not a valid price`);
  if (typeof placedMs !== "number" || !Number.isSafeInteger(placedMs))
    throw new Error(`portfolio: ${where}.placed_ms must be an integer`);
  const yesLimitTicks = side === "yes" ? ticks : TICKS_PER_DOLLAR - ticks; // a NO price is on the NO scale
  let s = summaries.get(ticker);
  if (s === undefined) {
    s = noOpenOrders();
    summaries.set(ticker, s);
  }
  if (action === "buy") {
    if (!s.hasOpenBuy || placedMs > s.newestBuyPlacedMs) {
      s.newestBuyYesLimitTicks = yesLimitTicks;
      s.newestBuyPlacedMs = placedMs;
    }
    s.hasOpenBuy = true;
  } else {
    if (!s.hasOpenSell || placedMs > s.newestSellPlacedMs) {
      s.newestSellYesLimitTicks = yesLimitTicks;
      s.newestSellPlacedMs = placedMs;
    }
    s.hasOpenSell = true;
  }
}

/** Writes a parsed portfolio into the table in one write; tickers get market indices. */
export function applyPortfolio(
  spec: PortfolioSpec,
  directory: MarketDirectory,
  table: PortfolioWriter,
): void {
  const indexOf = (ticker: string): number => {
    const m = directory.ensure(ticker);
    if (m < 0)
      throw new Error(`portfolio: no market index left for ${ticker} (capacity ${directory.capacity})`);
    return m;
  };
  const positions = spec.positions.map((p) => [indexOf(p.ticker), p] as const);
  const orders = [...spec.orders].map(([ticker, s]) => [indexOf(ticker), s] as const);
  table.beginWrite();
  try {
    table.setCash(spec.freeCashMicros, spec.reservedCashMicros);
    for (const [m, p] of positions) table.setPosition(m, p.contractsHundredths, p.costBasisMicros);
    for (const [m, s] of orders) table.setOrderSummary(m, s);
  } finally {
    table.endWrite();
  }
}

/** Loads a portfolio file (or the default portfolio when `path` is undefined) into the table. */
export function loadPortfolioFile(
  path: string | undefined,
  directory: MarketDirectory,
  table: PortfolioWriter,
): PortfolioSpec {
  const spec = path === undefined ? defaultPortfolio() : parsePortfolio(readFileSync(path, "utf8"));
  applyPortfolio(spec, directory, table);
  return spec;
}
