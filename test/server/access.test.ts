import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { AccessPolicy } from "../../src/server/access.js";
import { startEngineServer } from "../../src/server/engine-server.js";
import type { EngineServer } from "../../src/server/types.js";
import { FakeEngine } from "./fixtures/fake-engine.js";
import { closeWs, openWs } from "./fixtures/ws-client.js";

const TOKEN = "test-token-0123456789";
const READ_TOKEN = "read-token-0123456789";

/** GET with the headers a browser or an attacker would send (fetch cannot set Host). */
function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("AccessPolicy", () => {
  const p = new AccessPolicy("127.0.0.1");
  it("serves loopback names and the bind address only, on any port", () => {
    for (const h of ["127.0.0.1:9470", "localhost:1", "LOCALHOST", "[::1]:9470", "127.0.0.1"])
      assert.ok(p.hostAllowed(h), h);
    for (const h of ["evil.example:9470", "evil.example", "127.0.0.1.evil.example:80", "", "10.0.0.5:9470"])
      assert.ok(!p.hostAllowed(h), h);
    assert.ok(new AccessPolicy("10.0.0.5").hostAllowed("10.0.0.5:9470"));
  });
  it("accepts no Origin (not a browser) or exactly the server's own", () => {
    assert.ok(p.originAllowed("", "127.0.0.1:9470"));
    assert.ok(p.originAllowed("http://127.0.0.1:9470", "127.0.0.1:9470"));
    assert.ok(!p.originAllowed("http://evil.example", "127.0.0.1:9470"));
    assert.ok(
      !p.originAllowed("http://127.0.0.1:1234", "127.0.0.1:9470"),
      "another local port is another origin",
    );
    assert.ok(!p.originAllowed("null", "127.0.0.1:9470"));
    assert.ok(
      !p.originAllowed("http://evil.example:9470", "evil.example:9470"),
      "a rebound Host is still refused",
    );
  });
  it("asks for the read token only when one is configured", () => {
    assert.ok(p.readAllowed("", undefined));
    const t = new AccessPolicy("127.0.0.1", READ_TOKEN);
    assert.ok(!t.readAllowed("", undefined));
    assert.ok(!t.readAllowed("Bearer nope", undefined));
    assert.ok(t.readAllowed(`Bearer ${READ_TOKEN}`, undefined));
    assert.ok(t.readAllowed("", READ_TOKEN));
  });
});

describe("engine server: Host, Origin and read token", () => {
  const engine = new FakeEngine();
  let open: EngineServer;
  let guarded: EngineServer;
  before(async () => {
    open = await startEngineServer({ port: 0, controlToken: TOKEN }, engine.deps());
    guarded = await startEngineServer({ port: 0, controlToken: TOKEN, readToken: READ_TOKEN }, engine.deps());
  });
  after(() => {
    open.close();
    guarded.close();
  });

  it("answers a DNS-rebinding Host with 403 on every read route", async () => {
    for (const path of ["/stats", "/snapshot", "/metrics", "/", "/healthz"]) {
      assert.equal(await get(open.port, path, { Host: `evil.example:${open.port}` }), 403, path);
      assert.equal(await get(open.port, path, { Host: `localhost:${open.port}` }), 200, path);
    }
  });

  it("refuses a WebSocket from another origin and accepts its own (and non-browsers)", async () => {
    const url = `ws://127.0.0.1:${open.port}/events?format=json`;
    await assert.rejects(openWs(url, { Origin: "http://evil.example" }), /unexpected response 403/);
    await closeWs(await openWs(url, { Origin: `http://127.0.0.1:${open.port}` }));
    await closeWs(await openWs(url));
    const ingest = `ws://127.0.0.1:${open.port}/ingest?token=${TOKEN}`;
    await assert.rejects(openWs(ingest, { Origin: "http://evil.example" }), /unexpected response 403/);
  });

  it("with a read token: /stats, /snapshot, /metrics, /events and the dashboard need it; /healthz does not", async () => {
    const host = { Host: `127.0.0.1:${guarded.port}` };
    for (const path of ["/stats", "/snapshot", "/metrics", "/"]) {
      assert.equal(await get(guarded.port, path, host), 401, path);
      assert.equal(
        await get(guarded.port, path, { ...host, Authorization: `Bearer ${READ_TOKEN}` }),
        200,
        path,
      );
      assert.equal(await get(guarded.port, `${path}?token=${READ_TOKEN}`, host), 200, path);
    }
    assert.equal(await get(guarded.port, "/healthz", host), 200);
    const url = `ws://127.0.0.1:${guarded.port}/events?format=json`;
    await assert.rejects(openWs(url), /unexpected response 401/);
    await closeWs(await openWs(`${url}&token=${READ_TOKEN}`));
  });
});
