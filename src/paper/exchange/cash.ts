/**
 * Per-shard collateral (Kalshi exchange sharding): an account's cash lives on each exchange
 * instance separately; an order on shard k is checked against and paid from shard k only. The
 * account's `balanceMicros`/`heldMicros` stay the totals over its shards, so every change goes
 * through these helpers and both stay equal by construction.
 */
import type { Account } from "./state.js";

/** Adds (or, negative, takes) available cash on one shard. */
export function addCash(account: Account, shard: number, micros: number): void {
  account.balanceMicros += micros;
  account.shardBalanceMicros[shard]! += micros;
}

/** Moves available cash on one shard into its held cash (an order's collateral). */
export function holdCash(account: Account, shard: number, micros: number): void {
  account.balanceMicros -= micros;
  account.heldMicros += micros;
  account.shardBalanceMicros[shard]! -= micros;
  account.shardHeldMicros[shard]! += micros;
}

/** Returns held cash on one shard to its available cash. */
export function releaseCash(account: Account, shard: number, micros: number): void {
  account.balanceMicros += micros;
  account.heldMicros -= micros;
  account.shardBalanceMicros[shard]! += micros;
  account.shardHeldMicros[shard]! -= micros;
}
