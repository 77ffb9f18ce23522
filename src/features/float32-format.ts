/**
 * Shortest decimal text of a float32 that parses back to the same float32 (`features` CLI output,
 * observation-v1.md §10 comparisons). Cold path: allocates strings.
 */
export function float32ToShortestString(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return String(f);
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  for (let p = 1; p <= 9; p++) {
    const text = f.toPrecision(p);
    if (Math.fround(Number(text)) === f) return normalise(text);
  }
  return normalise(f.toPrecision(9)); // 9 significant digits always round-trip a float32
}

/** toPrecision may use exponent form or keep trailing zeros; return what Number() prints. */
function normalise(text: string): string {
  return String(Number(text));
}
