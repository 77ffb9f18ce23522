/**
 * What an exchange refusal means for the engine beyond "this order was not placed" (pure).
 *
 * Kalshi's API keys carry a location attestation; once it lapses, a key may no longer trade some
 * categories (sports, elections, entertainment) while others still work (kalshi-api-notes.md).
 * Such a refusal will repeat for every order in that market, so the engine disables the market
 * and says so once instead of retrying forever. Kalshi documents no single code for it: a 403,
 * or a code, message or details that name the attestation, location or a restricted category,
 * reads as one.
 */
import type { RestErrorInfo } from "../rest-types.js";

const CATEGORY_REFUSAL = /attestation|location|jurisdiction|restricted|not[_ ]permitted/i;

export function isCategoryRefusal(error: RestErrorInfo): boolean {
  if (error.status === 403) return true;
  return CATEGORY_REFUSAL.test(`${error.code} ${error.message} ${error.details}`);
}

/** The one line an operator reads: what was refused and what to do about it. */
export function categoryRefusalText(ticker: string, error: RestErrorInfo): string {
  const said = [error.code, error.message, error.details].filter((t) => t !== "").join(": ");
  return (
    `market ${ticker} disabled: the exchange refused this API key for its category (${said || error.status}); ` +
    "renew the key's location attestation on the exchange, then restart to trade it again"
  );
}
