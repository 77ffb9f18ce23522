/**
 * Kalshi request signing (client side) and verification (paper exchange side).
 * Pure functions over node:crypto; no module state. Shared by the REST client, the WS client
 * (orders / io threads) and the paper exchange server.
 *
 * kalshi-api-notes.md: message = TIMESTAMP_MS + METHOD + PATH, PATH without the query string
 * and including the `/trade-api/v2` (or `/trade-api/ws/v2`) prefix; the body is not signed.
 * kalshi-api-notes.md: RSA-PSS, SHA-256, MGF1(SHA-256), salt = digest length; Ed25519 keys
 * sign with `crypto.sign(null, …)`. The verifier accepts any PSS salt length (auto), because
 * production accepts clients that sign with the maximum salt length.
 *
 * Never log a key, a PEM or a signature: error messages here name the failure only.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

export const HEADER_KEY = "KALSHI-ACCESS-KEY";
export const HEADER_TIMESTAMP = "KALSHI-ACCESS-TIMESTAMP";
export const HEADER_SIGNATURE = "KALSHI-ACCESS-SIGNATURE";

/** The skew window of the simulator (kalshi-api-notes.md: reject |skew| > 30 s). */
export const DEFAULT_MAX_SKEW_MS = 30_000;

/** A Key ID and its private key, as used by every signed request. */
export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/** A type alias (not an interface) so it spreads into `Record<string, string>` header objects. */
export type KalshiAuthHeaders = {
  "KALSHI-ACCESS-KEY": string;
  "KALSHI-ACCESS-TIMESTAMP": string;
  "KALSHI-ACCESS-SIGNATURE": string;
};

/**
 * Repairs a PEM that went through an environment variable or a config file: `\n` escapes become
 * newlines, surrounding quotes go, and header-less base64 is wrapped as PKCS#8
 * (kalshi-api-notes.md).
 */
export function normalisePem(text: string): string {
  let pem = text.trim();
  if ((pem.startsWith('"') && pem.endsWith('"')) || (pem.startsWith("'") && pem.endsWith("'"))) {
    pem = pem.slice(1, -1).trim();
  }
  pem = pem.replace(/\\r\\n|\\n|\\r/g, "\n").replace(/\r\n/g, "\n");
  if (!pem.includes("-----BEGIN")) {
    const body = pem.replace(/\s+/g, "");
    const lines = body.match(/.{1,64}/g) ?? [];
    pem = `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----`;
  } else {
    // A PEM flattened onto one line (spaces instead of newlines) is rebuilt around its armour.
    const m = /^(-----BEGIN [A-Z ]+-----)\s*([\s\S]*?)\s*(-----END [A-Z ]+-----)$/.exec(pem);
    if (m) {
      const body = m[2]!.replace(/\s+/g, "");
      pem = `${m[1]}\n${(body.match(/.{1,64}/g) ?? []).join("\n")}\n${m[3]}`;
    }
  }
  return `${pem}\n`;
}

function looksLikePem(text: string): boolean {
  return text.includes("-----BEGIN") || /^[A-Za-z0-9+/=\s\\n]{100,}$/.test(text.trim());
}

/**
 * Loads a private key from PEM text (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE
 * KEY`, escaped or not) or from a path to a PEM file.
 */
export function loadPrivateKey(pemOrPath: string): KeyObject {
  const text = looksLikePem(pemOrPath)
    ? pemOrPath
    : existsSync(pemOrPath)
      ? readFileSync(pemOrPath, "utf8")
      : pemOrPath;
  try {
    return createPrivateKey({ key: normalisePem(text), format: "pem" });
  } catch {
    throw new Error("auth-signer: not a readable PKCS#8/PKCS#1 private key PEM (contents not shown)");
  }
}

/** Loads a public key from a PEM (SPKI or PKCS#1 public) or derives it from a private key PEM. */
export function loadPublicKey(pemOrPath: string): KeyObject {
  const text = looksLikePem(pemOrPath)
    ? pemOrPath
    : existsSync(pemOrPath)
      ? readFileSync(pemOrPath, "utf8")
      : pemOrPath;
  const pem = normalisePem(text);
  try {
    if (pem.includes("PRIVATE KEY")) return createPublicKey(createPrivateKey(pem));
    return createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw new Error("auth-signer: not a readable public or private key PEM (contents not shown)");
  }
}

/** The exact bytes that are signed (kalshi-api-notes.md). The query string is dropped. */
export function signedMessage(tsMs: number | string, method: string, path: string): Buffer {
  const q = path.indexOf("?");
  const bare = q >= 0 ? path.slice(0, q) : path;
  return Buffer.from(`${tsMs}${method.toUpperCase()}${bare}`, "utf8");
}

/** Signs `message` with RSA-PSS(SHA-256, salt = digest length) or Ed25519; base64 output. */
export function signMessage(privateKey: KeyObject, message: Buffer): string {
  const sig =
    privateKey.asymmetricKeyType === "ed25519"
      ? cryptoSign(null, message, privateKey)
      : cryptoSign("sha256", message, {
          key: privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        });
  return sig.toString("base64");
}

/**
 * The three `KALSHI-ACCESS-*` headers for one request. `path` is the full URL path (query string
 * allowed, it is stripped before signing). Sign immediately before sending.
 */
export function signRequest(
  key: SigningKey,
  method: string,
  path: string,
  tsMs: number = Date.now(),
): KalshiAuthHeaders {
  const ts = String(Math.trunc(tsMs));
  return {
    "KALSHI-ACCESS-KEY": key.keyId,
    "KALSHI-ACCESS-TIMESTAMP": ts,
    "KALSHI-ACCESS-SIGNATURE": signMessage(key.privateKey, signedMessage(ts, method, path)),
  };
}

/** Where the verifier reads headers: a plain object (any case) or a lower-case getter (uWS). */
export type HeaderSource =
  | Record<string, string | string[] | undefined>
  | ((lowerCaseName: string) => string | undefined);

function header(headers: HeaderSource, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (typeof headers === "function") {
    const v = headers(lower);
    return v === undefined || v === "" ? undefined : v;
  }
  let v = headers[lower] ?? headers[name];
  if (v === undefined) {
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === lower) {
        v = headers[k];
        break;
      }
    }
  }
  if (Array.isArray(v)) v = v[0];
  return v === undefined || v === "" ? undefined : v;
}

export type VerifyFailureReason =
  | "missing_headers"
  | "bad_timestamp"
  | "timestamp_expired"
  | "unknown_key"
  | "bad_signature";

export type VerifyResult =
  | { ok: true; keyId: string }
  | { ok: false; status: 401; reason: VerifyFailureReason; body: string };

/** Kalshi's nested 401 bodies (kalshi-api-notes.md). */
function authFailure(reason: VerifyFailureReason): VerifyResult {
  let code = "authentication_error";
  let message: string;
  let details: string;
  switch (reason) {
    case "missing_headers":
      message = "missing authentication headers";
      details = "MISSING_API_KEY_HEADERS";
      break;
    case "bad_timestamp":
      message = "invalid KALSHI-ACCESS-TIMESTAMP";
      details = "INVALID_TIMESTAMP";
      break;
    case "timestamp_expired":
      code = "header_timestamp_expired";
      message = "request timestamp outside the allowed window";
      details = "HEADER_TIMESTAMP_EXPIRED";
      break;
    case "unknown_key":
      message = "api key not found";
      details = "NOT_FOUND";
      break;
    case "bad_signature":
      message = "invalid signature";
      details = "INCORRECT_API_KEY_SIGNATURE";
      break;
  }
  const body = `{"error":{"code":"${code}","message":"${message}","details":"${details}","service":"auth"}}`;
  return { ok: false, status: 401, reason, body };
}

/**
 * Verifies a signed request against registered public keys. Timestamps more than `maxSkewMs`
 * from `nowMs` either way are refused with `header_timestamp_expired` (kalshi-api-notes.md).
 */
export function verifyRequest(
  publicKeys: ReadonlyMap<string, KeyObject>,
  method: string,
  path: string,
  headers: HeaderSource,
  nowMs: number = Date.now(),
  maxSkewMs: number = DEFAULT_MAX_SKEW_MS,
): VerifyResult {
  const keyId = header(headers, HEADER_KEY);
  const ts = header(headers, HEADER_TIMESTAMP);
  const signature = header(headers, HEADER_SIGNATURE);
  if (keyId === undefined || ts === undefined || signature === undefined) {
    return authFailure("missing_headers");
  }
  if (!/^\d{1,16}$/.test(ts)) return authFailure("bad_timestamp");
  if (Math.abs(Number(ts) - nowMs) > maxSkewMs) return authFailure("timestamp_expired");
  const publicKey = publicKeys.get(keyId);
  if (publicKey === undefined) return authFailure("unknown_key");
  const message = signedMessage(ts, method, path);
  let sig: Buffer;
  try {
    sig = Buffer.from(signature, "base64");
  } catch {
    return authFailure("bad_signature");
  }
  let good = false;
  try {
    good =
      publicKey.asymmetricKeyType === "ed25519"
        ? cryptoVerify(null, message, publicKey, sig)
        : cryptoVerify(
            "sha256",
            message,
            {
              key: publicKey,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_AUTO,
            },
            sig,
          );
  } catch {
    good = false;
  }
  return good ? { ok: true, keyId } : authFailure("bad_signature");
}
