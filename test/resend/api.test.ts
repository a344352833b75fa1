import { afterEach, beforeEach, describe, expect, it } from "vitest";
import net from "node:net";
import {
  createOrAdoptDomain,
  createSendingKey,
  deleteApiKey,
  getDomain,
  parseRetryAfter,
  removeDomain,
  isResendApiError,
  ResendApiError,
  ResendConnection,
  verifyDomain,
} from "../../lib/resend/api";
import { FakeResend, startFakeResend } from "../fakes/resend-api";

const fastRetry = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 };

let fake: FakeResend;
let conn: ResendConnection;

beforeEach(async () => {
  fake = await startFakeResend();
  conn = { apiKey: fake.fullKey, baseUrl: fake.url, retry: fastRetry };
});
afterEach(async () => {
  await fake.close();
});

async function rejection(p: Promise<unknown>): Promise<ResendApiError> {
  try {
    await p;
  } catch (e) {
    expect(isResendApiError(e)).toBe(true);
    return e as ResendApiError;
  }
  throw new Error("expected a rejection");
}

describe("domains", () => {
  it("creates a domain and returns its records (TXT DKIM style)", async () => {
    const d = await createOrAdoptDomain(conn, "example.com", "eu-west-1", "send");
    expect(d.adopted).toBe(false);
    expect(d.region).toBe("eu-west-1");
    expect(d.records.map((r) => `${r.type} ${r.name}`)).toEqual(["MX send", "TXT send", "TXT resend._domainkey"]);
    const post = fake.state.requests.find((r) => r.method === "POST" && r.path === "/domains");
    expect(post?.body).toMatchObject({ name: "example.com", region: "eu-west-1", custom_return_path: "send" });
    expect(post?.auth).toBe(`Bearer ${fake.fullKey}`);
  });

  it("returns three DKIM CNAMEs when Resend uses that style", async () => {
    fake.state.dkimStyle = "cnames";
    const d = await createOrAdoptDomain(conn, "example.org", "us-east-1", "bounce");
    const dkim = d.records.filter((r) => r.record === "DKIM");
    expect(dkim).toHaveLength(3);
    for (const r of dkim) {
      expect(r.type).toBe("CNAME");
      expect(r.name).toMatch(/^[a-z0-9]+\._domainkey$/);
      expect(r.value).toMatch(/\.dkim\.amazonses\.com\.$/);
    }
    expect(d.records.filter((r) => r.record === "SPF").every((r) => r.name === "bounce")).toBe(true);
  });

  it("adopts an existing domain found on a later page of the list", async () => {
    for (let i = 0; i < 120; i++) fake.seedDomain(`filler${i}.example.net`);
    const existing = fake.seedDomain("example.com");
    const d = await createOrAdoptDomain(conn, "example.com", "us-east-1", "send");
    expect(d.adopted).toBe(true);
    expect(d.id).toBe(existing.id);
    expect(d.records).toHaveLength(3);
    const lists = fake.state.requests.filter((r) => r.method === "GET" && r.path.startsWith("/domains?"));
    expect(lists.length).toBe(2); // paginated with `after`
    expect(lists[1].path).toContain("after=");
    expect(fake.state.domains.filter((x) => x.name === "example.com")).toHaveLength(1);
  });

  it("verify → pending → verified after N polls", async () => {
    fake.state.verifyAfterPolls = 3;
    const d = await createOrAdoptDomain(conn, "example.com", "us-east-1", "send");
    expect(d.status).toBe("not_started");
    await verifyDomain(conn, d.id);
    expect((await getDomain(conn, d.id)).status).toBe("pending");
    expect((await getDomain(conn, d.id)).status).toBe("pending");
    const done = await getDomain(conn, d.id);
    expect(done.status).toBe("verified");
    expect(done.records.every((r) => r.status === "verified")).toBe(true);
  });

  it("removes a domain", async () => {
    const d = await createOrAdoptDomain(conn, "example.com", "us-east-1", "send");
    await removeDomain(conn, d.id);
    expect(fake.state.domains).toHaveLength(0);
  });
});

describe("api keys", () => {
  it("sends snake_case permission and domain_id (checked on what the fake received)", async () => {
    const d = await createOrAdoptDomain(conn, "example.com", "us-east-1", "send");
    const k = await createSendingKey(conn, "mailstack-relay-example.com", d.id);
    expect(k.token).toMatch(/^re_/);
    expect(fake.state.apiKeyBodies).toEqual([
      { name: "mailstack-relay-example.com", permission: "sending_access", domain_id: d.id },
    ]);
    const stored = fake.state.keys.find((x) => x.id === k.id);
    expect(stored).toMatchObject({ permission: "sending_access", domain_id: d.id });
    await deleteApiKey(conn, k.id);
    expect(fake.state.keys.find((x) => x.id === k.id)).toBeUndefined();
    await deleteApiKey(conn, k.id); // already gone: not an error
  });
});

describe("errors", () => {
  it("unknown key → invalid_api_key with what to do, and no key in the message", async () => {
    const bad = "re_totally_secret_value_123456";
    const e = await rejection(createOrAdoptDomain({ ...conn, apiKey: bad }, "example.com", "us-east-1", "send"));
    expect(e.code).toBe("invalid_api_key");
    expect(e.message).toContain("mailstack:resendApiKey was rejected by Resend (invalid_api_key)");
    expect(e.message).toContain("https://resend.com/api-keys");
    expect(e.message).not.toContain(bad);
    expect(e.stack ?? "").not.toContain(bad);
  });

  it("a bad key reported as validation_error (newer Resend variant) gets the same advice", async () => {
    fake.injectFault({
      status: 401,
      times: 1,
      raw: JSON.stringify({ statusCode: 401, name: "validation_error", message: "API key is invalid" }),
    });
    const e = await rejection(getDomain(conn, "abc"));
    expect(e.code).toBe("invalid_api_key");
    expect(e.message).toContain("mailstack:resendApiKey was rejected by Resend (invalid_api_key)");
  });

  it("sending-only key → restricted_api_key says provisioning needs full access", async () => {
    const e = await rejection(
      createOrAdoptDomain({ ...conn, apiKey: fake.sendingKey }, "example.com", "us-east-1", "send"),
    );
    expect(e.code).toBe("restricted_api_key");
    expect(e.statusCode).toBe(401);
    expect(e.message).toContain("is a sending-only key");
    expect(e.message).toContain("provisioning needs full access");
    expect(e.message).not.toContain(fake.sendingKey);
  });

  it("422 invalid_region names the valid regions", async () => {
    const e = await rejection(createOrAdoptDomain(conn, "example.com", "mars-1", "send"));
    expect(e.code).toBe("invalid_region");
    expect(e.message).toContain("eu-west-1");
    expect(e.message).not.toContain(fake.fullKey);
  });

  it("422 validation errors carry Resend's message", async () => {
    const e = await rejection(createOrAdoptDomain(conn, "not a domain", "us-east-1", "send"));
    expect(e.code).toBe("validation_error");
    expect(e.message).toContain("must be a valid domain");
    expect(fake.state.domains).toHaveLength(0);
  });

  it("an empty key fails before any request", async () => {
    const e = await rejection(getDomain({ ...conn, apiKey: "" }, "x"));
    expect(e.message).toContain("mailstack:resendApiKey is empty");
    expect(fake.state.requests).toHaveLength(0);
  });

  it("a key echoed by the server is scrubbed from the message", async () => {
    // A raw JSON body lets the fault echo the key back, as a careless server might.
    fake.injectFault({
      status: 400,
      times: 1,
      raw: JSON.stringify({ statusCode: 400, name: "validation_error", message: `bad key ${fake.fullKey}` }),
    });
    const e = await rejection(getDomain(conn, "abc"));
    expect(e.message).not.toContain(fake.fullKey);
    expect(e.message).toContain("[redacted]");
  });
});

describe("retries", () => {
  it("429 honours retry-after (seconds)", async () => {
    fake.injectFault({ path: /^\/domains$/, method: "POST", status: 429, times: 1, retryAfter: "1" });
    const t0 = Date.now();
    const d = await createOrAdoptDomain(conn, "example.com", "us-east-1", "send");
    const waited = Date.now() - t0;
    expect(d.id).toBeTruthy();
    expect(waited).toBeGreaterThanOrEqual(1000);
    const [first, second] = fake.state.times;
    expect(second - first).toBeGreaterThanOrEqual(1000);
  });

  it("5xx N times then success", async () => {
    fake.injectFault({ status: 503, times: 2 });
    const d = await createOrAdoptDomain(conn, "example.com", "us-east-1", "send");
    expect(d.adopted).toBe(false);
    expect(fake.state.requests.filter((r) => r.method === "POST")).toHaveLength(3);
  });

  it("a non-JSON 502 page is retried too", async () => {
    fake.injectFault({ status: 502, times: 1, raw: "<html>bad gateway</html>" });
    const d = await createOrAdoptDomain(conn, "example.com", "us-east-1", "send");
    expect(d.id).toBeTruthy();
  });

  it("5xx beyond the attempt budget → clear error after maxAttempts", async () => {
    fake.injectFault({ status: 500, times: 100 });
    const e = await rejection(getDomain(conn, "abc"));
    expect(fake.state.requests).toHaveLength(fastRetry.maxAttempts);
    expect(e.message).toMatch(/Resend kept failing \(500 internal_server_error\) after 4 attempts/);
  });

  it("quota errors are not retried", async () => {
    fake.injectFault({ status: 429, times: 5, name: "daily_quota_exceeded" });
    const e = await rejection(getDomain(conn, "abc"));
    expect(e.code).toBe("daily_quota_exceeded");
    expect(fake.state.requests).toHaveLength(1);
  });

  it("network error (closed port) → bounded retries then a clear error", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    const e = await rejection(
      getDomain(
        { apiKey: fake.fullKey, baseUrl: url, retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 20 } },
        "abc",
      ),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40); // two backoffs
    expect(e.code).toBe("network_error");
    expect(e.message).toContain(`Could not reach Resend at ${url} after 3 attempts`);
    expect(e.message).not.toContain(fake.fullKey);
  });

  it("RESEND_BASE_URL is honoured when no baseUrl is given", async () => {
    const prev = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = fake.url;
    try {
      const d = await createOrAdoptDomain(
        { apiKey: fake.fullKey, retry: fastRetry },
        "example.com",
        "us-east-1",
        "send",
      );
      expect(d.id).toBeTruthy();
    } finally {
      if (prev === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = prev;
    }
  });

  it("parses retry-after as seconds or an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:03 GMT", now)).toBe(3000);
  });
});
