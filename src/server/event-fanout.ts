/**
 * Fans engine events out to /events WebSocket clients (io thread).
 *
 * Each event is encoded at most once per format (FlatBuffers bytes for binary clients, JSON text
 * for `?format=json`), only if some client wants that format. A client whose socket has more than
 * `maxBufferBytes` queued is skipped for that event and the drop is counted: a slow dashboard
 * costs it events (visible as `seq` gaps), never unbounded io memory, and never blocks the engine.
 */
import type { WebSocket } from "uWebSockets.js";
import type { EngineEvent } from "../events/engine-event.js";
import { type EventCodec, encodeEventJson } from "../events/event-codec.js";

export type EventFormat = "flatbuffers" | "json";

export interface EventsUserData {
  format: EventFormat;
  dropped: number;
}

export class EventFanout {
  private readonly clients = new Set<WebSocket<EventsUserData>>();
  sent = 0;
  dropped = 0;

  constructor(
    private readonly codec: EventCodec,
    private readonly maxBufferBytes: number,
    private readonly onDrop: (count: number) => void,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  add(ws: WebSocket<EventsUserData>): void {
    this.clients.add(ws);
  }

  remove(ws: WebSocket<EventsUserData>): void {
    this.clients.delete(ws);
  }

  publish(event: EngineEvent): void {
    if (this.clients.size === 0) return;
    let bytes: Uint8Array | undefined;
    let text: string | undefined;
    for (const ws of this.clients) {
      const data = ws.getUserData();
      if (ws.getBufferedAmount() > this.maxBufferBytes) {
        this.drop(data);
        continue;
      }
      let status: number;
      if (data.format === "json") {
        text ??= encodeEventJson(event);
        const t = text;
        status = 0;
        ws.cork(() => {
          status = ws.send(t, false);
        });
      } else {
        bytes ??= this.codec.encode(event);
        const b = bytes;
        status = 0;
        ws.cork(() => {
          status = ws.send(b, true);
        });
      }
      // 2 = refused by uWS's own maxBackpressure (set above our threshold as a second line).
      if (status === 2) this.drop(data);
      else this.sent++;
    }
  }

  closeAll(): void {
    for (const ws of [...this.clients]) ws.end(1001, "server closing");
    this.clients.clear();
  }

  private drop(data: EventsUserData): void {
    data.dropped++;
    this.dropped++;
    this.onDrop(1);
  }
}
