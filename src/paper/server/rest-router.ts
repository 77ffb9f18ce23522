/**
 * A tiny path router for the REST API: patterns like `/portfolio/events/orders/:id/amend`,
 * literal segments win over parameters (so `/batched` is never taken for an order id).
 */

export interface RestReply {
  status: number;
  body: string;
}

export interface RouteContext {
  /** core user id of the signed key ("" on public routes without auth) */
  userId: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface Route {
  method: string;
  pattern: string;
  /** public market data works without auth headers (kalshi-api-notes.md) */
  public: boolean;
  handler: (ctx: RouteContext) => RestReply;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface CompiledRoute {
  route: Route;
  segments: string[];
  literalCount: number;
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(method: string, pattern: string, handler: Route["handler"], isPublic = false): this {
    const segments = pattern.split("/").filter((s) => s !== "");
    const literalCount = segments.filter((s) => !s.startsWith(":")).length;
    this.routes.push({ route: { method, pattern, public: isPublic, handler }, segments, literalCount });
    // Most specific first.
    this.routes.sort((a, b) => b.literalCount - a.literalCount);
    return this;
  }

  match(method: string, path: string): RouteMatch | "method_not_allowed" | undefined {
    const parts = path.split("/").filter((s) => s !== "");
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = r.segments[i]!;
        if (seg.startsWith(":")) params[seg.slice(1)] = decodeURIComponent(parts[i]!);
        else if (seg !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.route.method === method) return { route: r.route, params };
    }
    return pathMatched ? "method_not_allowed" : undefined;
  }
}

export function json(status: number, body: unknown): RestReply {
  return { status, body: typeof body === "string" ? body : JSON.stringify(body) };
}
