/**
 * Seqlock helpers over one Int32 version word (BookTable per market, PortfolioTable globally).
 * Pure functions, no state: the version word lives in the table's SharedArrayBuffer.
 *
 * Protocol (one writer thread per version word; any number of readers, who never block it):
 *
 *     writer:  writeBegin(w, i)   version → odd   ("a write is in progress")
 *              ...plain typed-array stores of the protected fields...
 *              writeEnd(w, i)     version → even  ("consistent again")
 *
 *     reader:  readConsistent(w, i, reader)        // reader.read(): plain typed-array loads of
 *                                                  // the protected fields into the reader's own
 *                                                  // fields; run again until no write overlapped
 *
 * Why it is correct (memory ordering): every version access is an Atomics operation, and
 * Atomics operations are sequentially consistent — all threads agree on one order of them, and
 * each one is ordered with the plain accesses before and after it in its own thread. The writer's
 * plain stores all lie strictly between its two version increments. The reader's plain loads all
 * lie strictly between two Atomics.loads of the version. If both loads return the same even value
 * v, then no writeBegin took place between them (any writeBegin would have made the version odd
 * or, after its writeEnd, v + 2): the read window overlaps no write section, so every plain load
 * returned a value from a completed write — the snapshot is consistent. If a write did overlap,
 * the second load sees a different value and the reader retries; torn values (even a torn
 * Float64) are discarded, never used. The version wraps at 2^32, which preserves parity; a reader
 * would need to sleep through 2^31 writes inside one read for a false match.
 *
 * Caveat, stated honestly: the ECMAScript memory model only orders racing plain loads through
 * happens-before, and on weakly ordered CPUs (arm64) an SC load (`ldar`) does not stop EARLIER
 * plain loads from completing after it (H.-J. Boehm, "Can seqlocks get along with programming
 * language memory models?", 2012). On x86-64 (TSO, loads are not reordered with loads) the
 * argument above holds for the code V8 emits. If the engine is ever deployed on arm64, switch
 * `readValid` to a read-don't-modify-write (`Atomics.or(w, i, 0)`), which orders prior loads.
 *
 * Writers must not await, do I/O or throw between writeBegin and writeEnd: readers spin while
 * the version is odd.
 */

/** Starts a write section: version becomes odd. Returns the odd version. */
export function writeBegin(words: Int32Array, index: number): number {
  return (Atomics.add(words, index, 1) + 1) | 0;
}

/** Ends a write section: version becomes even again. Returns the new even version. */
export function writeEnd(words: Int32Array, index: number): number {
  return (Atomics.add(words, index, 1) + 1) | 0;
}

/** Spins while a write is in progress and returns the (even) version to validate against. */
export function readBegin(words: Int32Array, index: number): number {
  let version = Atomics.load(words, index);
  while ((version & 1) !== 0) version = Atomics.load(words, index);
  return version;
}

/** A read of seqlock-protected fields: `read` copies them into the object's own fields. */
export interface ConsistentRead {
  read(): void;
}

/**
 * THE seqlock read loop (every reader uses it): runs `reader.read()` until no write section
 * overlapped it, so what it copied is one consistent snapshot. Returns the number of retries.
 * `reader` is a long-lived object (no closure per read, nothing allocated).
 */
export function readConsistent(words: Int32Array, index: number, reader: ConsistentRead): number {
  for (let retries = 0; ; retries++) {
    let version = Atomics.load(words, index);
    while ((version & 1) !== 0) version = Atomics.load(words, index);
    reader.read();
    if (Atomics.load(words, index) === version) return retries;
  }
}

/** True if no write started since `readBegin` returned `version`: the reads are consistent. */
export function readValid(words: Int32Array, index: number, version: number): boolean {
  return Atomics.load(words, index) === version;
}
