/**
 * Field readers for the typed message parser (messages.ts): each reads one field of a parsed JSON
 * object, converts it to integer units (units.ts) and throws a MessageParseError that names the
 * message type, the field path and what was wrong. Pure, no state beyond the object being read.
 */
import {
  type BookLevel,
  MessageParseError,
  type MessageParseErrorDetails,
  type MessageParseReason,
} from "./message-types.js";
import {
  centsToTicks,
  countToHundredths,
  dollarsToMicros,
  dollarsToTicks,
  PRICE_DECIMALS,
  parseScaledDecimal,
  scaleJsonNumber,
  TICKS_PER_DOLLAR,
} from "./units.js";

export interface ReaderContext {
  type: string;
  /** sid/seq/market ticker of the frame, copied into every error (MessageParseErrorDetails). */
  details: MessageParseErrorDetails;
}

/** "bookChange": signed, within the int32 size of a BookTable level. */
export type CountSign = "signed" | "nonNegative" | "positive" | "bookChange";
export type PriceUnit = "dollars" | "cents";
export interface SnapshotSide {
  levels: BookLevel[];
  skipped: number;
  replaced: number;
}

/** BookTable holds level sizes as int32 hundredths (MAX_LEVEL_HUNDREDTHS); frame-scanner.ts agrees. */
const MAX_BOOK_SIZE_HUNDREDTHS = 0x7fffffff;
const INT_TEXT = /^\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const RFC3339_START = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Reads typed fields of one JSON object of a frame (the envelope, `msg`, or a list entry).
 * Absent and `null` read the same; a present value of the wrong kind throws MessageParseError
 * naming the wire path (`msg.price_dollars`) and the value.
 */
export class FieldReader {
  constructor(
    readonly record: Record<string, unknown>,
    private readonly prefix: string,
    private readonly ctx: ReaderContext,
  ) {}

  raw(key: string): unknown {
    const v = Object.hasOwn(this.record, key) ? this.record[key] : undefined;
    return v === null ? undefined : v;
  }

  missing(key: string, legacyKey?: string): never {
    const legacy = legacyKey === undefined ? "" : ` (or legacy ${this.prefix}${legacyKey})`;
    throw this.error("missing_field", key, `missing ${this.prefix}${key}${legacy}`);
  }

  invalid(reason: MessageParseReason, key: string, problem: string): never {
    throw this.error(reason, key, `${this.prefix}${key} ${show(this.raw(key))} ${problem}`);
  }

  requireString(key: string, altKey?: string): string {
    const used = this.raw(key) === undefined && altKey !== undefined ? altKey : key;
    const v = this.raw(used);
    if (v === undefined) return this.missing(key);
    if (typeof v !== "string" || v === "")
      return this.invalid("invalid_field", used, "is not a non-empty string");
    return v;
  }

  /** A non-empty string, else absent: for extras that must not reject a book message. */
  lenientString(key: string): string | undefined {
    const v = this.raw(key);
    return typeof v === "string" && v !== "" ? v : undefined;
  }

  /** "" reads as absent. */
  optionalString(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === "") return undefined;
    return typeof v === "string" ? v : this.invalid("invalid_field", key, "is not a string");
  }

  optionalStringArray(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
      return this.invalid("invalid_field", key, "is not an array of strings");
    }
    return v;
  }

  /** An integer JSON number or digit string; anything else reads as absent (observation-v1.md §3.5). */
  lenientInt(key: string): number | undefined {
    return lenientInt(this.raw(key));
  }

  requireInt(key: string): number {
    return this.optionalInt(key) ?? this.missing(key);
  }

  optionalInt(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    return lenientInt(v) ?? this.invalid("invalid_field", key, "is not an integer");
  }

  requireBool(key: string): boolean {
    return this.optionalBool(key) ?? this.missing(key);
  }

  optionalBool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === "boolean") return v;
    return this.invalid("invalid_field", key, "is not true or false");
  }

  requireEnum<T extends string>(key: string, allowed: readonly T[]): T {
    return this.optionalEnum(key, allowed) ?? this.missing(key);
  }

  optionalEnum<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (allowed.includes(v as T)) return v as T;
    return this.invalid("invalid_field", key, `must be ${allowed.map((a) => `"${a}"`).join(" or ")}`);
  }

  requireObject(key: string): FieldReader {
    return this.optionalObject(key) ?? this.missing(key);
  }

  optionalObject(key: string): FieldReader | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== "object" || Array.isArray(v))
      return this.invalid("invalid_field", key, "is not an object");
    return new FieldReader(v as Record<string, unknown>, `${this.prefix}${key}.`, this.ctx);
  }

  /** undefined when the value is not an array, so the caller can try another shape. */
  optionalObjectArray(key: string): FieldReader[] | undefined {
    const v = this.raw(key);
    if (!Array.isArray(v)) return undefined;
    return v.map((entry, i) => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        return this.invalid("invalid_field", key, `has entry ${i} that is not an object`);
      }
      return new FieldReader(entry as Record<string, unknown>, `${this.prefix}${key}[${i}].`, this.ctx);
    });
  }

  /** Current dollar field if present and not null, else the legacy integer-cent field. */
  requirePriceTicks(dollarsKey: string, centsKey: string): number {
    return this.optionalPriceTicks(dollarsKey, centsKey) ?? this.missing(dollarsKey, centsKey);
  }

  optionalPriceTicks(dollarsKey: string, centsKey: string): number | undefined {
    const [key, unit] =
      this.raw(dollarsKey) !== undefined ? [dollarsKey, "dollars" as const] : [centsKey, "cents" as const];
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const ticks = priceToTicks(v, unit);
    return Number.isNaN(ticks) ? this.invalid("invalid_price", key, priceProblem(v, unit)) : ticks;
  }

  /** A quote that may be empty: "" (nothing traded), $0 (no bid) and $1 (no ask) read as absent. */
  optionalQuoteTicks(dollarsKey: string, centsKey: string): number | undefined {
    const unit: PriceUnit = this.raw(dollarsKey) !== undefined ? "dollars" : "cents";
    const v = this.raw(unit === "dollars" ? dollarsKey : centsKey);
    const scale = unit === "dollars" ? PRICE_DECIMALS : 0;
    const full = unit === "dollars" ? TICKS_PER_DOLLAR : 100;
    if (v === "" || scaled(v, scale) === 0 || scaled(v, scale) === full) return undefined;
    return this.optionalPriceTicks(dollarsKey, centsKey);
  }

  requireCount(fpKey: string, legacyKey: string | undefined, sign: CountSign): number {
    return this.optionalCount(fpKey, legacyKey, sign) ?? this.missing(fpKey, legacyKey);
  }

  /** `*_fp` if present and not null, else the legacy integer count; both → hundredths. */
  optionalCount(fpKey: string, legacyKey: string | undefined, sign: CountSign): number | undefined {
    const key = this.raw(fpKey) === undefined && legacyKey !== undefined ? legacyKey : fpKey;
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const hundredths = typeof v === "string" || typeof v === "number" ? countToHundredths(v) : Number.NaN;
    if (Number.isNaN(hundredths)) {
      return this.invalid("invalid_count", key, decimalProblem(v, 2, "has more than 2 decimals"));
    }
    if (sign === "positive" && hundredths <= 0) return this.invalid("invalid_count", key, "is not positive");
    if (sign === "nonNegative" && hundredths < 0) return this.invalid("invalid_count", key, "is negative");
    if (sign === "bookChange" && Math.abs(hundredths) > MAX_BOOK_SIZE_HUNDREDTHS) {
      return this.invalid("invalid_count", key, "is beyond the int32 size of a book level");
    }
    return hundredths;
  }

  /** A dollar amount → micros; else the legacy integer centi-cent field (1/10,000 $) → micros. */
  optionalMicros(dollarsKey: string, centiCentsKey?: string): number | undefined {
    if (this.raw(dollarsKey) === undefined && centiCentsKey !== undefined) {
      const v = this.raw(centiCentsKey);
      if (v === undefined) return undefined;
      const micros = scaled(v, 0) * 100;
      if (Number.isSafeInteger(micros)) return micros;
      return this.invalid(
        "invalid_field",
        centiCentsKey,
        decimalProblem(v, 0, "is not a whole number of centi-cents"),
      );
    }
    const v = this.raw(dollarsKey);
    if (v === undefined) return undefined;
    const micros = typeof v === "string" || typeof v === "number" ? dollarsToMicros(v) : Number.NaN;
    if (!Number.isNaN(micros)) return micros;
    return this.invalid("invalid_field", dollarsKey, decimalProblem(v, 6, "has more than 6 decimals"));
  }

  requireTimestampMs(msKey: string, secondsKey: string): number {
    return this.optionalTimestampMs(msKey, secondsKey) ?? this.missing(msKey, secondsKey);
  }

  /** `msKey` as integer ms, else `secondsKey` as integer Unix seconds or an RFC 3339 string. */
  optionalTimestampMs(msKey: string | undefined, secondsKey: string | undefined): number | undefined {
    if (msKey !== undefined && this.raw(msKey) !== undefined) {
      return this.lenientInt(msKey) ?? this.invalid("invalid_field", msKey, "is not an integer time in ms");
    }
    if (secondsKey === undefined) return undefined;
    const v = this.raw(secondsKey);
    if (v === undefined) return undefined;
    const seconds = lenientInt(v);
    if (seconds !== undefined && Number.isSafeInteger(seconds * 1000)) return seconds * 1000;
    const parsed = typeof v === "string" && RFC3339_START.test(v) ? Date.parse(v) : Number.NaN;
    if (Number.isFinite(parsed)) return parsed;
    return this.invalid("invalid_field", secondsKey, "is not a Unix time in seconds or an RFC 3339 time");
  }

  /**
   * One side of a snapshot (observation-v1.md §3.3): the first key present and not null decides,
   * even when its value is not an array (then the side is empty). Invalid levels and counts ≤ 0
   * (or beyond int32) are skipped; a repeated price replaces the earlier level. Levels come out ascending by price.
   */
  snapshotSide(keys: readonly [dollarsFp: string, dollars: string, cents: string]): SnapshotSide {
    const index = keys.findIndex((key) => this.raw(key) !== undefined);
    const v = index < 0 ? undefined : this.raw(keys[index]);
    if (!Array.isArray(v)) return { levels: [], skipped: 0, replaced: 0 };
    const unit: PriceUnit = index === 2 ? "cents" : "dollars";
    const sizeByPrice = new Map<number, number>();
    let skipped = 0;
    let replaced = 0;
    for (const level of v) {
      const pair = Array.isArray(level) && level.length >= 2;
      const priceTicks = pair ? priceToTicks(level[0], unit) : Number.NaN;
      const count = pair ? level[1] : undefined;
      const sizeHundredths =
        typeof count === "string" || typeof count === "number" ? countToHundredths(count) : Number.NaN;
      if (Number.isNaN(priceTicks) || !(sizeHundredths > 0 && sizeHundredths <= MAX_BOOK_SIZE_HUNDREDTHS)) {
        skipped++;
        continue;
      }
      if (sizeByPrice.has(priceTicks)) replaced++;
      sizeByPrice.set(priceTicks, sizeHundredths);
    }
    const levels = [...sizeByPrice]
      .sort((a, b) => a[0] - b[0])
      .map(([priceTicks, sizeHundredths]) => ({ priceTicks, sizeHundredths }));
    return { levels, skipped, replaced };
  }

  private error(reason: MessageParseReason, key: string, text: string): MessageParseError {
    return new MessageParseError(`${this.ctx.type}: ${text}`, {
      ...this.ctx.details,
      reason,
      field: `${this.prefix}${key}`,
    });
  }
}

/** An integer JSON number, else undefined. */
export function integerNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isSafeInteger(v) ? v : undefined;
}

/** An integer JSON number or a digit string, else undefined (observation-v1.md §3.5). */
function lenientInt(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== "string" || !INT_TEXT.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** ticks, or NaN when invalid (observation-v1.md §3.2). */
function priceToTicks(v: unknown, unit: PriceUnit): number {
  if (typeof v !== "string" && typeof v !== "number") return Number.NaN;
  return unit === "dollars" ? dollarsToTicks(v) : centsToTicks(v);
}

/** The exact decimal value of a string or JSON number scaled by 10^scale, or NaN. */
function scaled(v: unknown, scale: number): number {
  if (typeof v === "number") return scaleJsonNumber(v, scale);
  return typeof v === "string" ? parseScaledDecimal(v, scale) : Number.NaN;
}

function priceProblem(v: unknown, unit: PriceUnit): string {
  if (unit === "dollars") {
    return Number.isNaN(scaled(v, PRICE_DECIMALS))
      ? decimalProblem(v, PRICE_DECIMALS, "is not on the $0.0001 grid")
      : "is outside $0.0001..$0.9999";
  }
  const wholeCents = typeof v === "number" ? Number.isInteger(v) : !Number.isNaN(scaled(v, 0));
  return wholeCents ? "is outside 1..99 cents" : decimalProblem(v, 0, "is not a whole number of cents");
}

/** Why `v` is not a decimal with at most `scale` decimals; `offGrid` when only the grid is wrong. */
function decimalProblem(v: unknown, scale: number, offGrid: string): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "is not a finite number";
    return Math.abs(v) * 10 ** scale > Number.MAX_SAFE_INTEGER ? "is too large" : offGrid;
  }
  if (typeof v !== "string") return "is not a number or a decimal string";
  if (!DECIMAL_TEXT.test(v)) return "is not a decimal number";
  const dot = v.indexOf(".");
  if (dot >= 0 && /[1-9]/.test(v.slice(dot + 1 + scale))) return offGrid;
  return "is too large or too long";
}

function show(v: unknown): string {
  const text = typeof v === "number" ? String(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Drops keys whose value is undefined so absent wire fields are absent, not `undefined`, here. */
export function withoutUndefined<T extends object>(message: T): T {
  const record = message as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return message;
}
