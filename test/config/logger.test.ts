import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger, type LogLevel, REDACTED, scrubSecrets } from "../../src/log/logger.js";

const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const RSA_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";

function capture(level: LogLevel = "info") {
  const lines: string[] = [];
  const log = createLogger({
    level,
    bindings: { thread: "io" },
    destination: { write: (s: string) => lines.push(s) },
  });
  return { log, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("logger", () => {
  it("writes JSON lines with the level label and bindings", () => {
    const { log, json } = capture();
    log.info({ frames: 3 }, "feed connected");
    const [line] = json();
    assert.equal(line!.level, "info");
    assert.equal(line!.thread, "io");
    assert.equal(line!.frames, 3);
    assert.equal(line!.msg, "feed connected");
    assert.equal(typeof line!.time, "number");
  });

  it("honours the configured level", () => {
    const { log, lines } = capture("warn");
    log.info("hidden");
    log.debug("hidden");
    log.warn("shown");
    assert.equal(lines.length, 1);
  });

  it("redacts a signature, a bearer header, a control token and a private key at any depth", () => {
    const { log, lines, json } = capture();
    const request = {
      method: "POST",
      path: "/trade-api/v2/portfolio/orders",
      headers: {
        "KALSHI-ACCESS-KEY": "key-id-1",
        "KALSHI-ACCESS-SIGNATURE": "c2lnbmF0dXJlLWJ5dGVz",
        authorization: "Bearer s3cret-control-token",
      },
    };
    const config = { exchange: "demo", keyFile: "/etc/k.pem", controlToken: "s3cret-control-token" };
    log.info({ request, config, nested: { deeper: { privateKey: PEM, token: "abc" } } }, "placing order");
    const out = lines.join("");
    for (const secret of [
      "c2lnbmF0dXJlLWJ5dGVz",
      "s3cret-control-token",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
      'abc"',
    ]) {
      assert.ok(!out.includes(secret), `log must not contain ${secret}`);
    }
    const [line] = json() as Array<{
      request: { headers: Record<string, string> };
      config: Record<string, string>;
      nested: { deeper: Record<string, string> };
    }>;
    assert.equal(line!.request.headers["KALSHI-ACCESS-SIGNATURE"], REDACTED);
    assert.equal(line!.request.headers.authorization, REDACTED);
    assert.equal(line!.request.headers["KALSHI-ACCESS-KEY"], "key-id-1");
    assert.equal(line!.config.controlToken, REDACTED);
    assert.equal(line!.config.keyFile, "/etc/k.pem", "the key file's path is not a secret");
    assert.equal(line!.nested.deeper.privateKey, REDACTED);
    assert.equal(line!.nested.deeper.token, REDACTED);
    // the caller's objects are untouched
    assert.equal(request.headers["KALSHI-ACCESS-SIGNATURE"], "c2lnbmF0dXJlLWJ5dGVz");
  });

  it("redacts key-file contents wherever they appear: values, arrays, messages, errors", () => {
    const { log, lines } = capture();
    log.info({ loaded: { text: RSA_PEM }, list: ["ok", PEM] }, "key loaded");
    log.warn(`could not parse ${PEM}`);
    log.error({ err: new Error(`bad key: ${RSA_PEM}`) }, "signer failed");
    const out = lines.join("");
    assert.ok(!out.includes("PRIVATE KEY-----\\n"), out);
    assert.ok(!out.includes("MIIEowIBAAKCAQEA"), out);
    assert.ok(!out.includes("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), out);
    assert.equal(out.split(REDACTED).length - 1, 4);
  });

  it("scrubSecrets copies only what it changes and survives cycles", () => {
    const clean = { a: 1, b: [1, 2], c: { d: "x" } };
    assert.equal(scrubSecrets(clean), clean);
    const cyclic: Record<string, unknown> = { token: "t" };
    cyclic.self = cyclic;
    const out = scrubSecrets(cyclic) as Record<string, unknown>;
    assert.equal(out.token, REDACTED);
    assert.equal(cyclic.token, "t");
  });
});
