import assert from "node:assert/strict";
import { constants, createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  loadPrivateKey,
  loadPublicKey,
  signedMessage,
  signRequest,
  verifyRequest,
} from "../../src/kalshi/auth-signer.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ed = generateKeyPairSync("ed25519");
const NOW = 1_703_123_456_789;
const PATH = "/trade-api/v2/portfolio/balance";

function keys(entries: Array<[string, KeyObject]>): Map<string, KeyObject> {
  return new Map(entries);
}

test("the signed message is timestamp + METHOD + path without the query string", () => {
  assert.equal(
    signedMessage(NOW, "get", "/trade-api/v2/portfolio/orders?limit=5").toString(),
    "1703123456789GET/trade-api/v2/portfolio/orders",
  );
});

test("an RSA-PSS signature verifies and carries the three headers", () => {
  const h = signRequest({ keyId: "k1", privateKey: rsa.privateKey }, "GET", PATH, NOW);
  assert.equal(h["KALSHI-ACCESS-KEY"], "k1");
  assert.equal(h["KALSHI-ACCESS-TIMESTAMP"], "1703123456789");
  assert.match(h["KALSHI-ACCESS-SIGNATURE"], /^[A-Za-z0-9+/]+=*$/);
  const r = verifyRequest(keys([["k1", rsa.publicKey]]), "GET", PATH, h, NOW + 1000);
  assert.deepEqual(r, { ok: true, keyId: "k1" });
});

test("a signature over a query-string path verifies against the bare path", () => {
  const h = signRequest({ keyId: "k1", privateKey: rsa.privateKey }, "GET", `${PATH}?x=1`, NOW);
  assert.equal(verifyRequest(keys([["k1", rsa.publicKey]]), "GET", PATH, h, NOW).ok, true);
});

test("a max-length PSS salt also verifies (auto salt detection)", () => {
  const msg = signedMessage(NOW, "GET", PATH);
  const sig = sign("sha256", msg, {
    key: rsa.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN,
  }).toString("base64");
  const h = {
    "kalshi-access-key": "k1",
    "kalshi-access-timestamp": String(NOW),
    "kalshi-access-signature": sig,
  };
  assert.equal(verifyRequest(keys([["k1", rsa.publicKey]]), "GET", PATH, h, NOW).ok, true);
});

test("an Ed25519 key signs and verifies", () => {
  const h = signRequest({ keyId: "e1", privateKey: ed.privateKey }, "POST", PATH, NOW);
  assert.equal(verifyRequest(keys([["e1", ed.publicKey]]), "POST", PATH, h, NOW).ok, true);
});

test("a tampered path, method or wrong key is INCORRECT_API_KEY_SIGNATURE", () => {
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const h = signRequest({ keyId: "k1", privateKey: rsa.privateKey }, "GET", PATH, NOW);
  const cases: Array<[Map<string, KeyObject>, string, string]> = [
    [keys([["k1", rsa.publicKey]]), "GET", "/trade-api/v2/portfolio/positions"],
    [keys([["k1", rsa.publicKey]]), "POST", PATH],
    [keys([["k1", other.publicKey]]), "GET", PATH],
  ];
  for (const [pk, method, path] of cases) {
    const r = verifyRequest(pk, method, path, h, NOW);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.status, 401);
      assert.deepEqual(JSON.parse(r.body).error.code, "authentication_error");
      assert.deepEqual(JSON.parse(r.body).error.details, "INCORRECT_API_KEY_SIGNATURE");
    }
  }
});

test("a PKCS#1 v1.5 signature is refused", () => {
  const msg = signedMessage(NOW, "GET", PATH);
  const sig = sign("sha256", msg, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING });
  const h = {
    "KALSHI-ACCESS-KEY": "k1",
    "KALSHI-ACCESS-TIMESTAMP": String(NOW),
    "KALSHI-ACCESS-SIGNATURE": sig.toString("base64"),
  };
  const r = verifyRequest(keys([["k1", rsa.publicKey]]), "GET", PATH, h, NOW);
  assert.equal(r.ok, false);
});

test("timestamps beyond ±30 s are header_timestamp_expired; within are fine", () => {
  const pk = keys([["k1", rsa.publicKey]]);
  const h = signRequest({ keyId: "k1", privateKey: rsa.privateKey }, "GET", PATH, NOW);
  for (const [offset, ok] of [
    [-30_001, false],
    [30_001, false],
    [-29_000, true],
    [29_000, true],
  ] as const) {
    const r = verifyRequest(pk, "GET", PATH, h, NOW + offset);
    assert.equal(r.ok, ok, `offset ${offset}`);
    if (!r.ok) assert.equal(JSON.parse(r.body).error.code, "header_timestamp_expired");
  }
});

test("an unknown key id is NOT_FOUND and missing headers are refused", () => {
  const h = signRequest({ keyId: "nobody", privateKey: rsa.privateKey }, "GET", PATH, NOW);
  const r = verifyRequest(keys([["k1", rsa.publicKey]]), "GET", PATH, h, NOW);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(JSON.parse(r.body).error.details, "NOT_FOUND");
  const m = verifyRequest(keys([["k1", rsa.publicKey]]), "GET", PATH, {}, NOW);
  assert.equal(m.ok, false);
  if (!m.ok) assert.equal(m.reason, "missing_headers");
});

test("a lower-case header getter (uWS style) is accepted", () => {
  const h = signRequest({ keyId: "k1", privateKey: rsa.privateKey }, "GET", PATH, NOW);
  const lower = new Map(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  const r = verifyRequest(keys([["k1", rsa.publicKey]]), "GET", PATH, (n) => lower.get(n), NOW);
  assert.equal(r.ok, true);
});

test("loadPrivateKey reads PKCS#8, PKCS#1, \\n-escaped env values and files", () => {
  const pkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const pkcs1 = rsa.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  const escaped = pkcs8.replace(/\n/g, "\\n");
  const headerless = pkcs8.replace(/-----[A-Z ]+-----/g, "").replace(/\n/g, "");
  const dir = mkdtempSync(join(tmpdir(), "signer-"));
  const file = join(dir, "key.pem");
  writeFileSync(file, pkcs1, { mode: 0o600 });
  const expected = createPublicKey(rsa.privateKey).export({ type: "spki", format: "pem" });
  for (const input of [pkcs8, pkcs1, escaped, headerless, file]) {
    const key = loadPrivateKey(input);
    assert.equal(createPublicKey(key).export({ type: "spki", format: "pem" }), expected);
  }
  assert.equal(loadPublicKey(file).export({ type: "spki", format: "pem" }), expected);
  assert.throws(() => loadPrivateKey("not a key"), /not a readable/);
});
