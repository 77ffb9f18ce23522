/**
 * Who may read the engine server (io thread, pure): a web page on the trading machine must not.
 *
 * - Host: only the loopback names and the configured bind address are served, so a DNS-rebinding
 *   page (evil.example resolving to 127.0.0.1) gets 403 instead of positions and cash.
 * - Origin (WebSocket upgrades): a browser always sends one; only the server's own origin is
 *   accepted, so another site's script cannot open /events. Clients that are not browsers send
 *   none and pass.
 * - Read token (`stats.readToken`, optional; meant for non-loopback binds): /stats, /metrics,
 *   /events and the dashboard then need it as `Authorization: Bearer` or `?token=`.
 */
import { bearerToken, tokenMatches } from "./auth.js";

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

export class AccessPolicy {
  private readonly hosts: Set<string>;

  constructor(
    bindHost: string,
    private readonly readToken?: string,
  ) {
    this.hosts = new Set([...LOOPBACK_NAMES, hostName(bindHost)]);
  }

  /** the request's `Host` names this server (loopback or the bind address), any port */
  hostAllowed(hostHeader: string): boolean {
    return hostHeader !== "" && this.hosts.has(hostName(hostHeader));
  }

  /** absent (not a browser), or exactly this server's origin as the browser reached it */
  originAllowed(originHeader: string, hostHeader: string): boolean {
    if (originHeader === "") return true;
    let origin: URL;
    try {
      origin = new URL(originHeader);
    } catch {
      return false;
    }
    if (origin.protocol !== "http:" && origin.protocol !== "https:") return false;
    return origin.host === hostHeader.toLowerCase() && this.hostAllowed(origin.host);
  }

  /** no read token configured, or the request presents it */
  readAllowed(authorization: string, queryToken: string | undefined): boolean {
    if (this.readToken === undefined || this.readToken === "") return true;
    return tokenMatches(this.readToken, queryToken || bearerToken(authorization));
  }
}

/** `Host` header or bind address → bare lower-case host name ("[::1]:80" → "::1"). */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colons = h.split(":").length - 1;
  if (colons === 1) return h.slice(0, h.indexOf(":")); // name:port
  return h; // a bare name, or a bare IPv6 address
}
