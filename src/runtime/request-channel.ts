/**
 * Request/reply between two threads over a worker's message port, matched by request id — the one
 * way io asks another thread for something and waits for the answer (the orders thread's kill
 * switch, reconciliation, stats, stop). Typed by a map from request name to its body and reply:
 *
 *   caller (RequestChannel, io)                        server (RequestServer, the worker)
 *     request("stats", null) ── { rq: 7, name, body } ──▶ handlers.stats(null)
 *        resolves / rejects ◀── { rp: 7, ok: true, body }
 *                               { rp: 7, ok: false, error }  (the handler threw or rejected)
 *
 * The rules the caller can rely on:
 * - every request has a deadline: no reply within it rejects with RequestTimeoutError naming the
 *   thread, the request and the wait;
 * - a reply to an id nobody waits for (its request timed out, or a stray) is counted in
 *   `unknownReplies` and dropped;
 * - `close(reason)` — the owner calls it when the thread exits — rejects every pending request
 *   and every later one with ChannelClosedError, so nobody waits on a thread that is gone.
 * Messages that are neither requests nor replies are left to the owner (`accept` returns false):
 * a thread's own announcements, such as "ready" or its periodic stats.
 *
 * Errors cross the boundary as their message only (structured clone would drop the class).
 */

/** Each request's body and reply by name, e.g. `{ stats: { request: null; reply: Stats } }`. */
export type RequestMap = Record<string, { request: unknown; reply: unknown }>;

/** What the channel needs of a port: a Worker, a MessagePort or `parentPort`. */
export interface PostPort {
  postMessage(message: unknown): void;
}

export interface RequestMessage {
  rq: number;
  name: string;
  body: unknown;
}

export type ReplyMessage = { rp: number; ok: true; body: unknown } | { rp: number; ok: false; error: string };

/** No reply within the request's deadline. */
export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
}

/** The peer is gone (the thread exited): the request was not answered and never will be. */
export class ChannelClosedError extends Error {
  override name = "ChannelClosedError";
}

/** The peer's handler failed; `message` is the handler's own. */
export class RequestFailedError extends Error {
  override name = "RequestFailedError";
}

interface Pending {
  name: string;
  resolve(reply: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface RequestChannelOptions {
  /** the thread at the other end, for error messages ("orders thread") */
  peer: string;
  /** deadline of a request that names none */
  timeoutMs: number;
}

/** The caller's side: sends requests and settles each with its reply. */
export class RequestChannel<M extends RequestMap> {
  /** replies whose id no request waits for (late after a timeout, or never sent) */
  unknownReplies = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | null = null;

  constructor(
    private readonly port: PostPort,
    private readonly o: RequestChannelOptions,
  ) {}

  /** Requests sent and not yet answered. */
  get pendingCount(): number {
    return this.pending.size;
  }

  request<K extends keyof M & string>(
    name: K,
    body: M[K]["request"],
    timeoutMs = this.o.timeoutMs,
  ): Promise<M[K]["reply"]> {
    if (this.closedReason !== null)
      return Promise.reject(new ChannelClosedError(`${this.o.peer}: ${name} not sent: ${this.closedReason}`));
    const id = this.nextId++;
    return new Promise<M[K]["reply"]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestTimeoutError(`${this.o.peer}: no reply to ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      // a deadline alone never keeps the process alive
      timer.unref();
      this.pending.set(id, { name, resolve: resolve as (reply: unknown) => void, reject, timer });
      try {
        this.port.postMessage({ rq: id, name, body } satisfies RequestMessage);
      } catch (e) {
        this.settle(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** A message from the peer: true when it was a reply (settled or counted), false otherwise. */
  accept(message: unknown): boolean {
    if (!isReply(message)) return false;
    const p = this.settle(message.rp);
    if (p === undefined) this.unknownReplies++;
    else if (message.ok) p.resolve(message.body);
    else p.reject(new RequestFailedError(message.error));
    return true;
  }

  /** The peer is gone: every pending request and every later one rejects with `reason`. */
  close(reason: string): void {
    this.closedReason ??= reason;
    for (const id of [...this.pending.keys()]) {
      const p = this.settle(id)!;
      p.reject(new ChannelClosedError(`${this.o.peer}: ${p.name} unanswered: ${reason}`));
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (p === undefined) return undefined;
    this.pending.delete(id);
    clearTimeout(p.timer);
    return p;
  }
}

/** One handler per request name; a thrown error or a rejection becomes the caller's rejection. */
export type RequestHandlers<M extends RequestMap> = {
  [K in keyof M]: (body: M[K]["request"]) => M[K]["reply"] | Promise<M[K]["reply"]>;
};

/** The serving side (the worker thread): answers every request with its handler's result. */
export class RequestServer<M extends RequestMap> {
  constructor(
    private readonly port: PostPort,
    private readonly handlers: RequestHandlers<M>,
  ) {}

  /** A message from the caller: true when it was a request (answered, now or when it settles). */
  accept(message: unknown): boolean {
    if (!isRequest(message)) return false;
    const id = message.rq;
    const handler = Object.hasOwn(this.handlers, message.name) ? this.handlers[message.name] : undefined;
    if (handler === undefined) {
      this.port.postMessage({
        rp: id,
        ok: false,
        error: `unknown request "${message.name}"`,
      } satisfies ReplyMessage);
      return true;
    }
    let result: unknown;
    try {
      result = handler(message.body);
    } catch (e) {
      this.fail(id, e);
      return true;
    }
    Promise.resolve(result).then(
      (body) => this.port.postMessage({ rp: id, ok: true, body } satisfies ReplyMessage),
      (e: unknown) => this.fail(id, e),
    );
    return true;
  }

  private fail(id: number, e: unknown): void {
    const error = e instanceof Error ? e.message : String(e);
    this.port.postMessage({ rp: id, ok: false, error } satisfies ReplyMessage);
  }
}

function isReply(m: unknown): m is ReplyMessage {
  return typeof m === "object" && m !== null && typeof (m as ReplyMessage).rp === "number";
}

function isRequest(m: unknown): m is RequestMessage {
  return (
    typeof m === "object" &&
    m !== null &&
    typeof (m as RequestMessage).rq === "number" &&
    typeof (m as RequestMessage).name === "string"
  );
}
