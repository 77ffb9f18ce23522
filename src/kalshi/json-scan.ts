/**
 * Validating, allocation-free JSON skipping over a string (pure).
 *
 * Each function takes the index of the first character of a value (or of whitespace before it)
 * and returns the index just past it, or −1 when the text is not valid JSON (RFC 8259, the same
 * grammar JSON.parse accepts). Used by the frame scanner to walk a frame without building objects.
 */

/** Nesting deeper than this is reported as malformed (JSON.parse itself has only the stack limit). */
export const MAX_DEPTH = 1000;

/** Value types reported by `valueType`. */
export const V_NONE = 0;
export const V_STRING = 1;
export const V_NUMBER = 2;
export const V_OBJECT = 3;
export const V_ARRAY = 4;
export const V_TRUE = 5;
export const V_FALSE = 6;
export const V_NULL = 7;

/** Whether text[start, end) contains a backslash (an escaped string needs decoding). */
export function hasEscape(text: string, start: number, end: number): boolean {
  const k = text.indexOf("\\", start);
  return k >= 0 && k < end;
}

export function skipWs(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else break;
  }
  return i;
}

/** Type of the value starting at i (no whitespace skipping). */
export function valueType(text: string, i: number): number {
  switch (text.charCodeAt(i)) {
    case 34:
      return V_STRING;
    case 123:
      return V_OBJECT;
    case 91:
      return V_ARRAY;
    case 116:
      return V_TRUE;
    case 102:
      return V_FALSE;
    case 110:
      return V_NULL;
    default:
      return V_NUMBER;
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Fast string skip for frames that contain no backslash at all (checked once per frame): the
 * closing quote is the next quote, found natively. Raw control characters inside such a string
 * are not looked for (JSON.parse would reject them); the frame scanner validates every character
 * of the values it reads, so only the content of strings it ignores is taken on trust.
 */
export function skipStringPlain(text: string, i: number): number {
  const j = text.indexOf('"', i + 1);
  return j < 0 ? -1 : j + 1;
}

/** i at the opening quote; returns the index after the closing quote. */
export function skipString(text: string, i: number): number {
  const n = text.length;
  i++;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 32) return -1;
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      if (e === 117) {
        if (
          !(
            isHex(text.charCodeAt(i + 2)) &&
            isHex(text.charCodeAt(i + 3)) &&
            isHex(text.charCodeAt(i + 4)) &&
            isHex(text.charCodeAt(i + 5))
          )
        )
          return -1;
        i += 6;
      } else if (
        e === 34 ||
        e === 92 ||
        e === 47 ||
        e === 98 ||
        e === 102 ||
        e === 110 ||
        e === 114 ||
        e === 116
      ) {
        i += 2;
      } else return -1;
    } else i++;
  }
  return -1;
}

/** i at the first character of a number; returns the index after it. */
export function skipNumber(text: string, i: number): number {
  const n = text.length;
  let c = text.charCodeAt(i);
  if (c === 45) c = text.charCodeAt(++i);
  if (c === 48) {
    i++;
  } else if (c >= 49 && c <= 57) {
    i++;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
  } else return -1;
  if (i < n && text.charCodeAt(i) === 46) {
    i++;
    const s = i;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
    if (i === s) return -1;
  }
  if (i < n && ((c = text.charCodeAt(i)) === 101 || c === 69)) {
    i++;
    c = text.charCodeAt(i);
    if (c === 43 || c === 45) i++;
    const s = i;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
    if (i === s) return -1;
  }
  return i;
}

function skipLiteral(text: string, i: number, lit: string): number {
  return text.startsWith(lit, i) ? i + lit.length : -1;
}

/**
 * i at the first character of a value (no leading whitespace); returns the index after it.
 * `plain`: the text has no backslash, strings may be skipped with `skipStringPlain`.
 */
export function skipValue(text: string, i: number, depth: number, plain = false): number {
  switch (text.charCodeAt(i)) {
    case 34:
      return plain ? skipStringPlain(text, i) : skipString(text, i);
    case 123:
      return skipObject(text, i, depth + 1, plain);
    case 91:
      return skipArray(text, i, depth + 1, plain);
    case 116:
      return skipLiteral(text, i, "true");
    case 102:
      return skipLiteral(text, i, "false");
    case 110:
      return skipLiteral(text, i, "null");
    default:
      return skipNumber(text, i);
  }
}

export function skipObject(text: string, i: number, depth: number, plain = false): number {
  if (depth > MAX_DEPTH) return -1;
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== 34) return -1;
    i = plain ? skipStringPlain(text, i) : skipString(text, i);
    if (i < 0) return -1;
    i = skipWs(text, i);
    if (text.charCodeAt(i) !== 58) return -1;
    i = skipWs(text, i + 1);
    i = skipValue(text, i, depth, plain);
    if (i < 0) return -1;
    i = skipWs(text, i);
    const c = text.charCodeAt(i);
    if (c === 125) return i + 1;
    if (c !== 44) return -1;
    i = skipWs(text, i + 1);
  }
}

export function skipArray(text: string, i: number, depth: number, plain = false): number {
  if (depth > MAX_DEPTH) return -1;
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    i = skipValue(text, i, depth, plain);
    if (i < 0) return -1;
    i = skipWs(text, i);
    const c = text.charCodeAt(i);
    if (c === 93) return i + 1;
    if (c !== 44) return -1;
    i = skipWs(text, i + 1);
  }
}
