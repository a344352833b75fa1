/**
 * A loopback fake of the Cloudflare v4 API, the part mailstack and the Cloudflare provider use: zones (list by
 * name, get), and a zone's DNS records (list with pagination, get, create, overwrite, edit, delete). Written
 * from the documented contract and the errors Cloudflare returns in practice:
 * - every answer is the v4 envelope `{ result, success, errors: [{code, message}], messages }`, lists add
 *   `result_info {page, per_page, count, total_count, total_pages}`;
 * - auth is `Authorization: Bearer <token>`: a malformed header is 400 6003 "Invalid request headers" with
 *   error_chain 6111, an unknown token 403 10000 "Authentication error", a zone the token cannot see 403 9109
 *   "Unauthorized to access requested resource", listing zones without Zone:Read 403 9109;
 * - records: an identical one is 400 81058 "An identical record already exists.", a CNAME beside another
 *   record at the name 400 81053, another record beside a CNAME 400 81054 (Cloudflare's "records with the same
 *   name" rules); names are stored as lower-case FQDNs, and a relative name gets the zone appended;
 * - the records the Cloudflare provider (terraform-provider-cloudflare v5, internal/services/dns_record) sends:
 *   New = POST, Update = PUT, Get = GET, Delete = DELETE.
 * Every request is recorded, so tests assert on what reached the wire.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

export interface FakeZone {
  id: string;
  name: string;
  status: "active" | "pending" | "initializing" | "moved";
  account: { id: string; name: string };
}

export interface FakeDnsRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  content: string;
  proxiable: boolean;
  proxied: boolean;
  ttl: number;
  priority?: number;
  data?: Record<string, unknown>;
  comment: string | null;
  tags: string[];
  settings: Record<string, unknown>;
  meta: Record<string, unknown>;
  created_on: string;
  modified_on: string;
}

export interface FakeToken {
  token: string;
  /** Zone IDs the token may use; undefined = every zone. */
  zones?: string[];
  /** Zone → Zone → Read: needed to list zones (lookup by name). */
  zoneRead: boolean;
}

export interface CloudflareRequest {
  method: string;
  path: string;
  body: unknown;
}

/** A canned failure for matching requests (rate limits, outages). */
export interface CloudflareFault {
  path?: RegExp;
  status: number;
  times: number;
  retryAfter?: string;
}

export interface FakeCloudflare {
  /** Base URL as the provider takes it (`cloudflare:baseUrl`), ending in /client/v4/. */
  url: string;
  zones: FakeZone[];
  records: FakeDnsRecord[];
  tokens: FakeToken[];
  requests: CloudflareRequest[];
  faults: CloudflareFault[];
  addZone(name: string, id?: string, status?: FakeZone["status"]): FakeZone;
  /** A record as if made by hand in the dashboard (no comment unless given). */
  addRecord(
    zoneId: string,
    r: Partial<FakeDnsRecord> & Pick<FakeDnsRecord, "name" | "type" | "content">,
  ): FakeDnsRecord;
  close(): Promise<void>;
}

const newId = () => randomBytes(16).toString("hex");
const PROXIABLE = ["A", "AAAA", "CNAME"];

/** A fake with one token (`cf-test-token` by default) that may use every zone. */
export async function startFakeCloudflare(opts: { token?: string; perPageMax?: number } = {}): Promise<FakeCloudflare> {
  const zones: FakeZone[] = [];
  const records: FakeDnsRecord[] = [];
  const tokens: FakeToken[] = [{ token: opts.token ?? "cf-test-token", zoneRead: true }];
  const requests: CloudflareRequest[] = [];
  const faults: CloudflareFault[] = [];
  const perPageMax = opts.perPageMax ?? 5_000_000;

  const fqdn = (name: string, zone: FakeZone) => {
    const n = name.trim().toLowerCase().replace(/\.$/, "");
    if (n === "@" || n === "") return zone.name;
    return n === zone.name || n.endsWith(`.${zone.name}`) ? n : `${n}.${zone.name}`;
  };

  const addZone = (name: string, id = newId(), status: FakeZone["status"] = "active") => {
    const z: FakeZone = { id, name, status, account: { id: "acc0", name: "Test account" } };
    zones.push(z);
    return z;
  };

  const makeRecord = (zone: FakeZone, b: Record<string, any>): FakeDnsRecord => {
    const now = new Date().toISOString();
    const type = String(b.type).toUpperCase();
    const data = type === "CAA" ? (b.data as Record<string, unknown>) : undefined;
    const r: FakeDnsRecord = {
      id: newId(),
      zone_id: zone.id,
      zone_name: zone.name,
      name: fqdn(String(b.name), zone),
      type,
      content: data ? `${data.flags} ${data.tag} "${data.value}"` : String(b.content ?? ""),
      proxiable: PROXIABLE.includes(type),
      proxied: Boolean(b.proxied),
      ttl: typeof b.ttl === "number" ? b.ttl : 1,
      comment: typeof b.comment === "string" && b.comment !== "" ? b.comment : null,
      tags: [],
      settings: {},
      meta: {},
      created_on: now,
      modified_on: now,
    };
    if (type === "MX") r.priority = typeof b.priority === "number" ? b.priority : 10;
    if (data) r.data = data;
    return r;
  };

  /** Cloudflare's rules for records that share a name; undefined when `r` may exist beside the others. */
  const clash = (r: FakeDnsRecord, except?: string): [number, string] | undefined => {
    const others = records.filter((x) => x.zone_id === r.zone_id && x.name === r.name && x.id !== except);
    if (others.some((x) => x.type === r.type && x.content === r.content && (x.priority ?? 0) === (r.priority ?? 0)))
      return [81058, "An identical record already exists."];
    if (r.type === "CNAME" && others.length)
      return [81053, "An A, AAAA, or CNAME record with that host already exists."];
    if (others.some((x) => x.type === "CNAME"))
      return [
        81054,
        "A CNAME record with that host already exists. For more details, refer to <https://developers.cloudflare.com/dns/manage-dns-records/troubleshooting/records-with-same-name/>.",
      ];
    return undefined;
  };

  const send = (res: http.ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ok = (res: http.ServerResponse, result: unknown, resultInfo?: object) =>
    send(res, 200, {
      result,
      success: true,
      errors: [],
      messages: [],
      ...(resultInfo ? { result_info: resultInfo } : {}),
    });
  const fail = (res: http.ServerResponse, status: number, code: number, message: string, extra: object = {}) =>
    send(res, status, { result: null, success: false, errors: [{ code, message, ...extra }], messages: [] });

  const page = <T>(res: http.ServerResponse, url: URL, items: T[]) => {
    const perPage = Math.min(perPageMax, Math.max(1, Number(url.searchParams.get("per_page") ?? 100)));
    const p = Math.max(1, Number(url.searchParams.get("page") ?? 1));
    const slice = items.slice((p - 1) * perPage, p * perPage);
    ok(res, slice, {
      page: p,
      per_page: perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.ceil(items.length / perPage),
    });
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    let body: Record<string, any> | undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return fail(res, 400, 9207, "Request body is invalid.");
    }
    const path = url.pathname.replace(/^\/client\/v4/, "");
    requests.push({ method, path: path + url.search, body });
    const fault = faults.find((f) => f.times > 0 && (!f.path || f.path.test(path)));
    if (fault) {
      fault.times--;
      res.writeHead(fault.status, {
        "content-type": "application/json",
        ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}),
      });
      const code = fault.status === 429 ? 10013 : 10001;
      const message = fault.status === 429 ? "Rate limited" : "Service unavailable";
      return res.end(JSON.stringify({ result: null, success: false, errors: [{ code, message }], messages: [] }));
    }

    const auth = /^Bearer ([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? "");
    if (!auth)
      return fail(res, 400, 6003, "Invalid request headers", {
        error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }],
      });
    const token = tokens.find((t) => t.token === auth[1]);
    if (!token) return fail(res, 403, 10000, "Authentication error");
    const canUse = (z: FakeZone) => !token.zones || token.zones.includes(z.id);

    let m: RegExpMatchArray | null;
    if (method === "GET" && path === "/zones") {
      if (!token.zoneRead) return fail(res, 403, 9109, "Unauthorized to access requested resource");
      const name = url.searchParams.get("name");
      return page(
        res,
        url,
        zones.filter((z) => canUse(z) && (!name || z.name === name.toLowerCase())),
      );
    }
    if ((m = path.match(/^\/zones\/([^/]+)(\/.*)?$/))) {
      if (!/^[0-9a-f]{32}$/.test(m[1]))
        return fail(res, 400, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`);
      const zone = zones.find((z) => z.id === m![1]);
      if (!zone || !canUse(zone)) return fail(res, 403, 9109, "Unauthorized to access requested resource");
      const rest = m[2] ?? "";
      if (method === "GET" && rest === "") return ok(res, zone);
      if (rest === "/dns_records" && method === "GET") {
        const type = url.searchParams.get("type");
        const name = url.searchParams.get("name");
        return page(
          res,
          url,
          records.filter((r) => r.zone_id === zone.id && (!type || r.type === type) && (!name || r.name === name)),
        );
      }
      if (rest === "/dns_records" && method === "POST") {
        if (!body?.type || !body?.name) return fail(res, 400, 9000, "DNS name is invalid.");
        const r = makeRecord(zone, body);
        const c = clash(r);
        if (c) return fail(res, 400, c[0], c[1]);
        records.push(r);
        return ok(res, r);
      }
      const rec = rest.match(/^\/dns_records\/([0-9a-f]{32})$/);
      const existing = rec && records.find((r) => r.id === rec[1] && r.zone_id === zone.id);
      if (rec && !existing) return fail(res, 404, 81044, "Record does not exist.");
      if (existing && method === "GET") return ok(res, existing);
      if (existing && method === "DELETE") {
        records.splice(records.indexOf(existing), 1);
        return ok(res, { id: existing.id });
      }
      if (existing && (method === "PUT" || method === "PATCH")) {
        const merged = method === "PATCH" ? { ...existing, ...body } : { ...body };
        const next = { ...makeRecord(zone, merged), id: existing.id, created_on: existing.created_on };
        const c = clash(next, existing.id);
        if (c) return fail(res, 400, c[0], c[1]);
        records[records.indexOf(existing)] = next;
        return ok(res, next);
      }
    }
    return fail(res, 400, 7000, "No route for that URI");
  };

  const server = http.createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (raw += c));
    req.on("end", () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/client/v4/`,
    zones,
    records,
    tokens,
    requests,
    faults,
    addZone,
    addRecord(zoneId, r) {
      const zone = zones.find((z) => z.id === zoneId);
      if (!zone) throw new Error(`no zone ${zoneId}`);
      const rec = { ...makeRecord(zone, { ttl: 1, ...r }), ...(r.id ? { id: r.id } : {}) };
      records.push(rec);
      return rec;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
