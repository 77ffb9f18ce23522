/**
 * Integer units shared by every thread (pure, no state).
 *
 * - Prices are integer ticks of $0.0001: 1..9999 of the YES-scale (or NO-scale) price
 *   (observation-v1.md §2, revision 2026-12). Cent-quoted markets use multiples of 100 ticks,
 *   $0.001 grids multiples of 10. Which prices a market accepts comes from its `price_ranges`
 *   (price-grid.ts), never from these bounds alone.
 * - Sizes/counts are integer hundredths of a contract.
 * - Money is integer micros ($0.000001). The cost of any fill is exact in micros:
 *   priceTicks × sizeHundredths ($0.0001 × 0.01 contract = $0.000001).
 *
 * These parsers are for the cold path (REST bodies, config, CLI). The WebSocket book path has its
 * own allocation-free byte scanner in `frame-scanner.ts` that implements the same rules.
 */

/** Ticks in $1: a YES price of p ticks is a NO price of TICKS_PER_DOLLAR − p. */
export const TICKS_PER_DOLLAR = 10_000;
/** Half-ticks in $1 (mids are held in half-ticks, observation-v1.md §2). */
export const HALF_TICKS_PER_DOLLAR = 2 * TICKS_PER_DOLLAR;
/** Ticks in one cent (legacy integer-cent prices). */
export const TICKS_PER_CENT = 100;
/** Decimals of a dollar price on the tick grid. */
export const PRICE_DECIMALS = 4;
export const MIN_TICK = 1;
export const MAX_TICK = TICKS_PER_DOLLAR - 1;
export const HUNDREDTHS_PER_CONTRACT = 100;
export const MICROS_PER_DOLLAR = 1_000_000;
export const MICROS_PER_TICK = MICROS_PER_DOLLAR / TICKS_PER_DOLLAR;
/** micros = priceTicks × sizeHundredths × MICROS_PER_TICK_HUNDREDTH */
export const MICROS_PER_TICK_HUNDREDTH = MICROS_PER_TICK / HUNDREDTHS_PER_CONTRACT;

/**
 * Parses a non-negative or signed decimal string into an integer scaled by 10^scale.
 * Returns NaN if the text is not a plain decimal or has non-zero digits beyond `scale` decimals.
 * Accepts an optional leading sign, digits, an optional '.', digits. No exponents.
 */
export function parseScaledDecimal(text: string, scale: number): number {
  const len = text.length;
  if (len === 0 || len > 24) return Number.NaN;
  let i = 0;
  let negative = false;
  const c0 = text.charCodeAt(0);
  if (c0 === 45 /* - */ || c0 === 43 /* + */) {
    negative = c0 === 45;
    i = 1;
  }
  let value = 0;
  let digits = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) break;
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
    digits++;
  }
  let frac = 0;
  if (i < len) {
    i++; // skip '.'
    let fracDigits = 0;
    for (; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return Number.NaN;
      if (fracDigits < scale) value = value * 10 + (c - 48);
      else if (c !== 48) return Number.NaN; // non-zero digit beyond the grid
      fracDigits++;
      frac++;
    }
    if (frac === 0 && digits === 0) return Number.NaN;
    for (; fracDigits < scale; fracDigits++) value *= 10;
  } else {
    if (digits === 0) return Number.NaN;
    for (let k = 0; k < scale; k++) value *= 10;
  }
  if (digits === 0 && frac === 0) return Number.NaN;
  if (!Number.isSafeInteger(value)) return Number.NaN;
  return negative && value !== 0 ? -value : value;
}

/**
 * Converts a JSON number to an integer scaled by 10^scale, rejecting values farther than 1e-6
 * from the grid (observation-v1.md §3.2).
 */
export function scaleJsonNumber(x: number, scale: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  const f = 10 ** scale;
  const scaled = Math.round(x * f);
  if (Math.abs(x * f - scaled) > 1e-6) return Number.NaN;
  if (!Number.isSafeInteger(scaled)) return Number.NaN;
  return scaled === 0 ? 0 : scaled; // normalise -0
}

/** A dollar price (string or number) → ticks, or NaN when off the $0.0001 grid or outside 1..9999. */
export function dollarsToTicks(v: string | number): number {
  const t =
    typeof v === "number" ? scaleJsonNumber(v, PRICE_DECIMALS) : parseScaledDecimal(v, PRICE_DECIMALS);
  return t >= MIN_TICK && t <= MAX_TICK ? t : Number.NaN;
}

/** A legacy integer-cent price (1..99) → ticks, or NaN. */
export function centsToTicks(v: string | number): number {
  const c = typeof v === "number" ? (Number.isInteger(v) ? v : Number.NaN) : parseScaledDecimal(v, 0);
  return c >= 1 && c <= 99 ? c * TICKS_PER_CENT : Number.NaN;
}

/** A signed count (string or number) → hundredths, or NaN when it has more than 2 decimals. */
export function countToHundredths(v: string | number): number {
  return typeof v === "number" ? scaleJsonNumber(v, 2) : parseScaledDecimal(v, 2);
}

/** A dollar amount (string or number, up to 6 decimals) → micros, or NaN. */
export function dollarsToMicros(v: string | number): number {
  return typeof v === "number" ? scaleJsonNumber(v, 6) : parseScaledDecimal(v, 6);
}

function formatScaled(value: number, scale: number, decimals: number): string {
  const negative = value < 0;
  const abs = Math.abs(value);
  const f = 10 ** scale;
  const whole = Math.floor(abs / f);
  let frac = String(abs - whole * f).padStart(scale, "0");
  if (decimals < scale) {
    // Only used where the value is known to sit on the coarser grid; keep it exact otherwise.
    const cut = frac.slice(decimals);
    frac = /^0*$/.test(cut) ? frac.slice(0, decimals) : frac;
  } else frac = frac.padEnd(decimals, "0");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

/** ticks → "0.4150" (4 decimals, Kalshi's response style). */
export function formatTicks(ticks: number): string {
  return formatScaled(ticks, PRICE_DECIMALS, PRICE_DECIMALS);
}

/** hundredths → "12.50". */
export function formatHundredths(hundredths: number): string {
  return formatScaled(hundredths, 2, 2);
}

/** micros → "12.3400" (4 decimals when exact, more digits if the amount has sub-$0.0001 parts). */
export function formatMicros(micros: number): string {
  return formatScaled(micros, 6, 4);
}
