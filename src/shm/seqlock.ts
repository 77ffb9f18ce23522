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
 * Why it is correct (memory ordering): the reader's version loads and the writer's closing store
 * are Atomics operations, sequentially consistent — all threads agree on one order of them, and
 * each one is ordered with the plain accesses before and after it in its own thread. The writer's
 * plain stores all lie strictly between its two version stores. The reader's plain loads all
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
 * Why a plain store opens a section: the version word has one writer, so `writeBegin` needs no
 * read-modify-write (an `Atomics.add` is a locked instruction and a builtin call V8 does not
 * inline, ~10 ns twice per update on the io thread). What it needs is that no store of the section
 * becomes visible before the odd version: x86-64 (TSO) makes stores visible in program order, and
 * V8 keeps typed-array stores in program order (they are effects on one chain; none is moved
 * across another). A reader that saw any store of the section therefore sees the odd version, or a
 * later one, at its closing load (its loads are not reordered with each other on x86-64 either),
 * and retries. The closing `Atomics.store` is what the JS memory model itself orders: every store
 * of the section happens before it, and a reader whose load sees that even version sees them. On
 * arm64 the opening store would need a store barrier too (as would `readValid`, below).
 *
 * Writers must not await, do I/O or throw between writeBegin and writeEnd: readers spin while
 * the version is odd.
 */

/**
 * Starts a write section: version becomes odd. Returns the odd version. A plain load and store:
 * the version word has ONE writer, so no read-modify-write is needed, and the store only has to
 * become visible before the section's stores (see "Why a plain store opens a section" above).
 */
export function writeBegin(words: Int32Array, index: number): number {
  const odd = (words[index] + 1) | 0;
  words[index] = odd;
  return odd;
}

/**
 * Ends a write section: version becomes even again (one Atomics.store, which orders every store
 * of the section before it). Returns the new even version.
 */
export function writeEnd(words: Int32Array, index: number): number {
  const even = (words[index] + 1) | 0;
  Atomics.store(words, index, even);
  return even;
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
