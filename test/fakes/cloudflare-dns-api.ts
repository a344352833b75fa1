/**
 * A loopback stand-in for the part of Cloudflare's API v4 an ACME client's DNS-01 solver uses: the zone by name
 * (`GET /zones?name=`), and listing, adding and deleting TXT records (`GET`/`POST /zones/:id/dns_records`,
 * `DELETE /zones/:id/dns_records/:record`), with Cloudflare's envelope (`success`, `errors`, `result`,
 * `result_info`) as cloudflare-go (lego 4.9.1) and lego's own client (4.35) parse it. Bearer tokens carry a
 * zone scope and permissions like the renewer's token: a request outside them is refused with 403, as
 * Cloudflare does. Each TXT record is handed to pebble-challtestsrv (`/set-txt`, `/clear-txt`), the DNS the
 * ACME server validates against.
 */
import { createServer, Server } from "node:https";
import { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";

export interface FakeToken {
  value: string;
  /** The one zone (by ID) the token is scoped to. */
  zoneId: string;
  permissions: ("Zone Read" | "DNS Write")[];
}

export interface FakeCloudflareState {
  zones: { id: string; name: string }[];
  records: { id: string; zoneId: string; type: string; name: string; content: string; ttl: number }[];
  /** Every request: method, path and whether it was allowed. */
  requests: { method: string; path: string; token?: string; status: number }[];
  /** TXT records ever created (they are deleted after validation). */
  created: { name: string; content: string }[];
}

export interface FakeCloudflare {
  state: FakeCloudflareState;
  close(): Promise<void>;
}

export async function startFakeCloudflare(opts: {
  host: string;
  port: number;
  tls: { key: string; cert: string };
  zones: { id: string; name: string }[];
  tokens: FakeToken[];
  /** pebble-challtestsrv's management URL. */
  challtestsrv: string;
}): Promise<FakeCloudflare> {
  const state: FakeCloudflareState = { zones: opts.zones, records: [], requests: [], created: [] };

  const challtest = async (path: string, body: unknown) => {
    const res = await fetch(`${opts.challtestsrv}${path}`, { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`challtestsrv ${path}: ${res.status}`);
  };

  async function handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", "https://api.cloudflare.com");
    const path = url.pathname.replace(/^\/client\/v4/, "");
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const token = opts.tokens.find((t) => t.value === bearer);
    const refuse = (status: number, code: number, message: string) => ({
      status,
      body: { success: false, errors: [{ code, message }], messages: [], result: null },
    });
    if (!token) return refuse(400, 6003, "Invalid request headers");
    const allowed = (zoneId: string, permission: FakeToken["permissions"][number]) =>
      token.zoneId === zoneId && token.permissions.includes(permission);

    if (req.method === "GET" && path === "/zones") {
      // A token sees only the zones it may read.
      const result = state.zones.filter(
        (z) => allowed(z.id, "Zone Read") && (!url.searchParams.get("name") || z.name === url.searchParams.get("name")),
      );
      return {
        status: 200,
        body: {
          success: true,
          errors: [],
          messages: [],
          result,
          result_info: { page: 1, per_page: 50, count: result.length, total_count: result.length, total_pages: 1 },
        },
      };
    }
    const records = /^\/zones\/([0-9a-f]{32})\/dns_records(?:\/([0-9a-f]{32}))?$/.exec(path);
    if (!records) return refuse(404, 7003, "Could not route to " + path);
    const [, zoneId, recordId] = records;
    if (!allowed(zoneId, "DNS Write")) return refuse(403, 10000, "Authentication error");
    if (req.method === "GET" && !recordId) {
      const result = state.records.filter(
        (r) =>
          r.zoneId === zoneId &&
          (!url.searchParams.get("type") || r.type === url.searchParams.get("type")) &&
          (!url.searchParams.get("name") || r.name === url.searchParams.get("name")),
      );
      return { status: 200, body: { success: true, errors: [], messages: [], result } };
    }
    if (req.method === "POST" && !recordId) {
      const body = JSON.parse(await readBody(req)) as { type: string; name: string; content: string; ttl?: number };
      if (body.type !== "TXT") return refuse(400, 9000, "only TXT records in this stand-in");
      const record = { id: randomBytes(16).toString("hex"), zoneId, ttl: body.ttl ?? 1, ...body };
      state.records.push(record);
      state.created.push({ name: record.name, content: record.content });
      await challtest("/set-txt", { host: `${record.name}.`, value: record.content });
      return { status: 200, body: { success: true, errors: [], messages: [], result: record } };
    }
    if (req.method === "DELETE" && recordId) {
      const record = state.records.find((r) => r.id === recordId && r.zoneId === zoneId);
      if (!record) return refuse(404, 81044, "Record does not exist.");
      state.records = state.records.filter((r) => r !== record);
      // challtestsrv keeps one TXT value per name: clear it when the last record of that name goes.
      if (!state.records.some((r) => r.name === record.name))
        await challtest("/clear-txt", { host: `${record.name}.` });
      return { status: 200, body: { success: true, errors: [], messages: [], result: { id: record.id } } };
    }
    return refuse(405, 10000, "Method not allowed");
  }

  const server: Server = createServer(opts.tls, (req: IncomingMessage, res: ServerResponse) => {
    handle(req)
      .catch((error: Error) => ({
        status: 500,
        body: { success: false, errors: [{ code: 500, message: error.message }] },
      }))
      .then(({ status, body }) => {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        state.requests.push({ method: req.method ?? "", path: req.url ?? "", token: bearer, status });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}
