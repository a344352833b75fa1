/**
 * A loopback fake of the Resend REST API (domains + api-keys), written from the documented contract
 * (`resend` 6.38 typings and the reference notes): Bearer auth with full vs sending-only keys, cursor
 * pagination, both DKIM record styles, verify → pending → verified after N polls, 422 validation errors,
 * and injectable faults (429 with retry-after, 5xx N times). It records every request body it receives,
 * so tests assert on what reached the wire rather than on what the client meant to send.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type DkimStyle = "txt" | "cnames";

export interface FakeRecord {
  record: string;
  name: string;
  type: string;
  value: string;
  ttl: string;
  status: string;
  priority?: number;
}

export interface FakeDomain {
  id: string;
  name: string;
  region: string;
  status: string;
  created_at: string;
  capabilities: { sending: string; receiving: string };
  records: FakeRecord[];
  /** GETs answered since the last verify request. */
  pollsSinceVerify: number;
  verifyRequested: boolean;
}

export interface FakeKey {
  id: string;
  name: string;
  token: string;
  permission: "full_access" | "sending_access";
  domain_id?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  auth: string | undefined;
}

export interface Fault {
  method?: string;
  /** Matched against the path (without query). */
  path?: RegExp;
  status: number;
  /** How many requests this fault answers before it is used up. */
  times: number;
  retryAfter?: string;
  /** Error name in the body (default by status). */
  name?: string;
  /** Send a non-JSON body (like a proxy's HTML error page). */
  raw?: string;
}

export interface FakeState {
  domains: FakeDomain[];
  keys: FakeKey[];
  requests: RecordedRequest[];
  /** Bodies received by POST /api-keys, in order. */
  apiKeyBodies: Record<string, unknown>[];
  faults: Fault[];
  /** DKIM style for domains created from now on. */
  dkimStyle: DkimStyle;
  /** GETs after a verify request before the domain reports `verified` (Infinity = stays pending). */
  verifyAfterPolls: number;
  /** When set, verification ends in this status instead of `verified`. */
  verifyOutcome: "verified" | "failed";
  /** Timestamps (ms) of every request, for measuring retry waits. */
  times: number[];
}

export interface FakeResend {
  url: string;
  state: FakeState;
  /** A full-access key accepted by the fake. */
  fullKey: string;
  /** A sending-only key (management calls → 401 restricted_api_key). */
  sendingKey: string;
  injectFault(f: Fault): void;
  /** Pre-register a domain as if created earlier (e.g. by a lost stack). */
  seedDomain(name: string, region?: string): FakeDomain;
  close(): Promise<void>;
}

const REGIONS = ["us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1"];
const ERROR_NAMES: Record<number, string> = {
  429: "rate_limit_exceeded",
  500: "internal_server_error",
  502: "application_error",
  503: "application_error",
};

let seq = 0;
const newId = () => `${(++seq).toString(16).padStart(8, "0")}-fake-4000-8000-${Date.now().toString(16)}`;
const randomToken = (n: number) =>
  Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(Math.random() * 36)]).join("");

function recordsFor(name: string, region: string, returnPath: string, style: DkimStyle): FakeRecord[] {
  const base = { ttl: "Auto", status: "not_started" };
  const records: FakeRecord[] = [
    {
      record: "SPF",
      name: returnPath,
      type: "MX",
      value: `feedback-smtp.${region}.amazonses.com`,
      priority: 10,
      ...base,
    },
    { record: "SPF", name: returnPath, type: "TXT", value: '"v=spf1 include:amazonses.com ~all"', ...base },
  ];
  if (style === "txt") {
    records.push({
      record: "DKIM",
      name: "resend._domainkey",
      type: "TXT",
      value: `p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ${randomToken(180)}IDAQAB`,
      ...base,
    });
  } else {
    for (let i = 0; i < 3; i++) {
      const t = randomToken(32);
      records.push({
        record: "DKIM",
        name: `${t}._domainkey`,
        type: "CNAME",
        value: `${t}.dkim.amazonses.com.`,
        ...base,
      });
    }
  }
  return records;
}

export async function startFakeResend(
  opts: Partial<Pick<FakeState, "dkimStyle" | "verifyAfterPolls" | "verifyOutcome">> = {},
): Promise<FakeResend> {
  const fullKey = `re_full_${randomToken(24)}`;
  const sendingKey = `re_send_${randomToken(24)}`;
  const state: FakeState = {
    domains: [],
    keys: [
      { id: newId(), name: "provisioner", token: fullKey, permission: "full_access" },
      { id: newId(), name: "sender", token: sendingKey, permission: "sending_access" },
    ],
    requests: [],
    apiKeyBodies: [],
    faults: [],
    dkimStyle: opts.dkimStyle ?? "txt",
    verifyAfterPolls: opts.verifyAfterPolls ?? 2,
    verifyOutcome: opts.verifyOutcome ?? "verified",
    times: [],
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (
    res: http.ServerResponse,
    status: number,
    name: string,
    message: string,
    headers: Record<string, string> = {},
  ) => send(res, status, { statusCode: status, name, message }, headers);

  const seedDomain = (name: string, region = "us-east-1"): FakeDomain => {
    const d: FakeDomain = {
      id: newId(),
      name,
      region,
      status: "not_started",
      created_at: new Date().toISOString(),
      capabilities: { sending: "enabled", receiving: "disabled" },
      records: recordsFor(name, region, "send", state.dkimStyle),
      pollsSinceVerify: 0,
      verifyRequested: false,
    };
    state.domains.push(d);
    return d;
  };

  const domainView = (d: FakeDomain, withRecords: boolean) => ({
    object: "domain",
    id: d.id,
    name: d.name,
    status: d.status,
    created_at: d.created_at,
    region: d.region,
    capabilities: d.capabilities,
    ...(withRecords ? { records: d.records } : {}),
  });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    const method = req.method ?? "GET";
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return fail(res, 400, "validation_error", "Invalid JSON body");
      }
    }
    state.requests.push({ method, path: url.pathname + url.search, body, auth: req.headers.authorization });
    state.times.push(Date.now());

    const fault = state.faults.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)),
    );
    if (fault) {
      fault.times--;
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {};
      if (fault.raw !== undefined) {
        res.writeHead(fault.status, { "content-type": "text/html", ...headers });
        return res.end(fault.raw);
      }
      return fail(
        res,
        fault.status,
        fault.name ?? ERROR_NAMES[fault.status] ?? "application_error",
        `Injected ${fault.status}`,
        headers,
      );
    }

    const auth = req.headers.authorization ?? "";
    const m = auth.match(/^Bearer (.+)$/);
    if (!m)
      return fail(
        res,
        401,
        "missing_api_key",
        "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY",
      );
    const key = state.keys.find((k) => k.token === m[1]);
    if (!key) return fail(res, 403, "invalid_api_key", "API key is invalid");
    if (key.permission !== "full_access")
      return fail(res, 401, "restricted_api_key", "This API key is restricted to only send emails");

    const b = (body ?? {}) as Record<string, unknown>;
    let mm: RegExpMatchArray | null;

    if (method === "POST" && path === "/domains") {
      const name = typeof b.name === "string" ? b.name.toLowerCase() : "";
      if (!name) return fail(res, 422, "missing_required_field", "Missing `name` field.");
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name))
        return fail(res, 422, "validation_error", "The `name` field must be a valid domain.");
      const region = (b.region as string | undefined) ?? "us-east-1";
      if (!REGIONS.includes(region))
        return fail(res, 422, "invalid_region", `'region' must be one of ${REGIONS.join(", ")}`);
      if (state.domains.some((d) => d.name === name))
        return fail(res, 403, "validation_error", `The ${name} domain has been registered already.`);
      const d = seedDomain(name, region);
      const rp = b.custom_return_path as string | undefined;
      if (rp) d.records = recordsFor(name, region, rp, state.dkimStyle);
      const { object: _o, ...view } = domainView(d, true);
      return send(res, 200, view);
    }
    if (method === "GET" && path === "/domains") {
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 20)));
      const after = url.searchParams.get("after");
      const start = after ? state.domains.findIndex((d) => d.id === after) + 1 : 0;
      const page = state.domains.slice(start, start + limit);
      return send(res, 200, {
        object: "list",
        has_more: start + limit < state.domains.length,
        data: page.map((d) => domainView(d, false)),
      });
    }
    if ((mm = path.match(/^\/domains\/([^/]+)(\/verify)?$/))) {
      const d = state.domains.find((x) => x.id === mm![1]);
      if (!d) return fail(res, 404, "not_found", "Domain not found");
      if (method === "POST" && mm[2]) {
        d.verifyRequested = true;
        d.pollsSinceVerify = 0;
        d.status = "pending";
        d.records.forEach((r) => (r.status = "pending"));
        return send(res, 200, { object: "domain", id: d.id });
      }
      if (method === "GET" && !mm[2]) {
        if (d.verifyRequested && d.status === "pending") {
          d.pollsSinceVerify++;
          if (d.pollsSinceVerify >= state.verifyAfterPolls) {
            d.status = state.verifyOutcome;
            d.records.forEach((r) => (r.status = state.verifyOutcome));
          }
        }
        return send(res, 200, domainView(d, true));
      }
      if (method === "DELETE" && !mm[2]) {
        state.domains = state.domains.filter((x) => x !== d);
        return send(res, 200, { object: "domain", id: d.id, deleted: true });
      }
    }
    if (method === "POST" && path === "/api-keys") {
      state.apiKeyBodies.push(b);
      const name = typeof b.name === "string" ? b.name : "";
      if (!name) return fail(res, 422, "missing_required_field", "Missing `name` field.");
      if (name.length > 50)
        return fail(res, 422, "validation_error", "The `name` field must be at most 50 characters.");
      const permission = (b.permission as FakeKey["permission"] | undefined) ?? "full_access";
      const domainId = b.domain_id as string | undefined;
      if (domainId && !state.domains.some((d) => d.id === domainId))
        return fail(res, 404, "not_found", "Domain not found");
      const k: FakeKey = { id: newId(), name, token: `re_${randomToken(30)}`, permission, domain_id: domainId };
      state.keys.push(k);
      return send(res, 201, { id: k.id, token: k.token });
    }
    if ((mm = path.match(/^\/api-keys\/([^/]+)$/)) && method === "DELETE") {
      const k = state.keys.find((x) => x.id === mm![1]);
      if (!k) return fail(res, 404, "not_found", "API key not found");
      state.keys = state.keys.filter((x) => x !== k);
      return send(res, 200, { object: "api_key", id: k.id, deleted: true });
    }
    return fail(res, 405, "method_not_allowed", `${method} ${path} is not supported by the fake`);
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
    url: `http://127.0.0.1:${port}`,
    state,
    fullKey,
    sendingKey,
    injectFault: (f) => state.faults.push({ ...f }),
    seedDomain,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
