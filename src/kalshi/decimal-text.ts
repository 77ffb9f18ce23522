/**
 * Exact decimal text → scaled integer, read in place from a frame (pure, allocation-free). The
 * same rules as units.parseScaledDecimal, which the cold path uses.
 */

/** Whether the JSON number text[s, e) has no exponent (then it is read as exact decimal text). */
export function numberIsPlainDecimal(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) return false;
  }
  return true;
}

/**
 * Exact decimal text → integer scaled by 10^scale, NaN if it has non-zero digits beyond `scale`
 * decimals. Accepts [+-]digits[.digits] (at least one digit). Same rules as units.parseScaledDecimal.
 */
export function scaledDecimalAt(text: string, s: number, e: number, scale: number): number {
  if (s >= e || e - s > 24) return Number.NaN;
  let i = s;
  let negative = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    negative = c0 === 45;
    i++;
  }
  let value = 0;
  let digits = 0;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
    digits++;
  }
  let fracDigits = 0;
  if (i < e) {
    i++;
    for (; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return Number.NaN;
      if (fracDigits < scale) value = value * 10 + (c - 48);
      else if (c !== 48) return Number.NaN;
      fracDigits++;
      digits++;
    }
  }
  if (digits === 0) return Number.NaN;
  for (let k = fracDigits; k < scale; k++) value *= 10;
  if (value > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return negative ? (value === 0 ? 0 : -value) : value;
}
