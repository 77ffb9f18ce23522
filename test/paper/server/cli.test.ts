import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { loadPrivateKey } from "../../../src/kalshi/auth-signer.js";
import { signedCall } from "./helpers.js";

test("`kalshi-engine paper` prints its endpoints first, serves signed requests, plans settlements by default, exits 0 on SIGTERM", async () => {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "paper",
      "--port",
      "0",
      "--markets",
      "5",
      "--rate",
      "50",
      "--seed",
      "3",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    const first = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once("line", resolve);
      child.once("exit", () => reject(new Error(`exited before printing: ${stderr}`)));
    });
    const info = JSON.parse(first) as {
      rest: string;
      ws: string;
      key_id: string;
      key_file: string;
      markets: string[];
    };
    assert.match(info.rest, /^http:\/\/127\.0\.0\.1:\d+\/trade-api\/v2$/);
    assert.match(info.ws, /^ws:\/\/127\.0\.0\.1:\d+\/trade-api\/ws\/v2$/);
    assert.equal(info.markets.length, 5);
    const key = { keyId: info.key_id, privateKey: loadPrivateKey(info.key_file) };
    const balance = await signedCall(info.rest, key, "GET", "/portfolio/balance");
    assert.equal(balance.status, 200);
    assert.equal(balance.json.balance_dollars, "10000.0000");
    // settlements by default: some markets carry the close time of a planned settlement
    const markets = await signedCall(info.rest, key, "GET", "/markets?limit=100");
    const closing = (markets.json.markets as Array<{ close_time?: string | null }>).filter((m) =>
      Boolean(m.close_time),
    );
    assert.ok(closing.length >= 1, "a planned settlement by default");
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
