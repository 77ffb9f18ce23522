import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { loadPrivateKey, signRequest } from "../../../src/kalshi/auth-signer.js";
import { startPaperExchange } from "../../../src/paper/index.js";
import { signedCall, startTestExchange, type TestExchange, WAIT_MS } from "./helpers.js";

interface ErrorBody {
  error: { code: string; details: string };
}

describe("paper exchange auth (kalshi-api-notes.md)", () => {
  let ex: TestExchange;
  before(async () => {
    ex = await startTestExchange();
  });
  after(async () => ex.close());

  async function raw(
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; json: ErrorBody }> {
    const res = await fetch(ex.px.restUrl + path, { headers, signal: AbortSignal.timeout(WAIT_MS) });
    return { status: res.status, json: (await res.json()) as ErrorBody };
  }

  test("a signed request with a query string is accepted (path signed without it)", async () => {
    const r = await ex.call("GET", "/portfolio/orders?limit=5");
    assert.equal(r.status, 200);
  });

  test("a signature over a different path is INCORRECT_API_KEY_SIGNATURE", async () => {
    const h = signRequest(ex.key, "GET", "/trade-api/v2/portfolio/positions");
    const r = await raw("/portfolio/balance", h);
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, "authentication_error");
    assert.equal(r.json.error.details, "INCORRECT_API_KEY_SIGNATURE");
  });

  test("signing without the /trade-api/v2 prefix fails", async () => {
    const h = signRequest(ex.key, "GET", "/portfolio/balance");
    assert.equal((await raw("/portfolio/balance", h)).status, 401);
  });

  test("a key pair the exchange does not know is refused", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const wrongPrivate = await signedCall(
      ex.px.restUrl,
      { keyId: ex.key.keyId, privateKey: other.privateKey },
      "GET",
      "/portfolio/balance",
    );
    assert.equal(wrongPrivate.status, 401);
    assert.equal(wrongPrivate.json.error.details, "INCORRECT_API_KEY_SIGNATURE");
    const unknownId = await signedCall(
      ex.px.restUrl,
      { keyId: "not-a-key", privateKey: other.privateKey },
      "GET",
      "/portfolio/balance",
    );
    assert.equal(unknownId.status, 401);
    assert.equal(unknownId.json.error.details, "NOT_FOUND");
  });

  test("a timestamp 60 s old is header_timestamp_expired", async () => {
    const h = signRequest(ex.key, "GET", "/trade-api/v2/portfolio/balance", Date.now() - 60_000);
    const r = await raw("/portfolio/balance", h);
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, "header_timestamp_expired");
  });

  test("missing headers are 401 on private routes; public market data needs none", async () => {
    const r = await raw("/portfolio/balance", {});
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, "authentication_error");
    const pub = await fetch(`${ex.px.restUrl}/markets?limit=1`, { signal: AbortSignal.timeout(WAIT_MS) });
    assert.equal(pub.status, 200);
  });

  test("a second registered key is its own account", async () => {
    const pair = generateKeyPairSync("ed25519");
    const keyId = ex.px.addKey(pair.publicKey);
    const r = await signedCall(
      ex.px.restUrl,
      { keyId, privateKey: pair.privateKey },
      "GET",
      "/portfolio/orders",
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.orders, []);
  });

  test("the WS upgrade is refused with HTTP 401 before it is accepted", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const cases: Array<Record<string, string>> = [
      {},
      signRequest({ keyId: ex.key.keyId, privateKey: other.privateKey }, "GET", "/trade-api/ws/v2"),
      signRequest(ex.key, "GET", "/trade-api/v2/ws/v2"), // the wrong signing path
      signRequest(ex.key, "GET", "/trade-api/ws/v2", Date.now() - 120_000),
    ];
    for (const headers of cases) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(ex.px.wsUrl, { headers });
        ws.once("open", () => {
          ws.terminate();
          reject(new Error("upgrade accepted"));
        });
        ws.once("unexpected-response", (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once("error", () => {});
      });
      assert.equal(status, 401);
    }
    const ok = await ex.openWs();
    assert.equal(ok.ws.readyState, WebSocket.OPEN);
  });
});

describe("startPaperExchange with a given key file", () => {
  test("a PKCS#1 private key is registered and echoed; a public key alone is accepted too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paper-key-"));
    try {
      const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const privFile = join(dir, "k.pem");
      writeFileSync(privFile, pair.privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
      const pubFile = join(dir, "k.pub");
      writeFileSync(pubFile, pair.publicKey.export({ type: "spki", format: "pem" }));
      for (const [file, echoed] of [
        [privFile, privFile],
        [pubFile, ""],
      ] as const) {
        const px = await startPaperExchange({
          markets: 2,
          ratePerSec: 0,
          keyFile: file,
          keyId: "given-key",
          pingMs: 0,
        });
        try {
          assert.equal(px.keyFile, echoed);
          assert.equal(px.keyId, "given-key");
          const r = await signedCall(
            px.restUrl,
            { keyId: "given-key", privateKey: loadPrivateKey(privFile) },
            "GET",
            "/portfolio/balance",
          );
          assert.equal(r.status, 200);
        } finally {
          await px.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
