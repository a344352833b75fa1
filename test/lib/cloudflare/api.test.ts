import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findZones, listDnsRecords } from "../../../lib/cloudflare/api";
import { FakeCloudflare, startFakeCloudflare } from "../../fakes/cloudflare-api";

let fake: FakeCloudflare;
const TOKEN = "cf-test-token";
const conn = () => ({ apiToken: TOKEN, baseUrl: fake.url });

beforeEach(async () => {
  fake = await startFakeCloudflare({ perPageMax: 3 });
});
afterEach(async () => {
  await fake.close();
});

describe("Cloudflare reads", () => {
  it("finds a zone by exact name, with the token's Bearer header", async () => {
    const zone = fake.addZone("qladgk.com");
    fake.addZone("other.net");
    expect((await findZones(conn(), "qladgk.com")).map((z) => z.id)).toEqual([zone.id]);
    expect(fake.requests[0]).toMatchObject({ method: "GET", path: "/zones?name=qladgk.com&per_page=50" });
  });

  it("lists every record across pages", async () => {
    const zone = fake.addZone("qladgk.com");
    for (let i = 0; i < 7; i++) fake.addRecord(zone.id, { name: `h${i}`, type: "A", content: `192.0.2.${i}` });
    const records = await listDnsRecords(conn(), zone.id);
    expect(records.map((r) => r.name)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `h${i}.qladgk.com`));
    expect(fake.requests.filter((r) => r.path.includes("dns_records"))).toHaveLength(3);
  });

  it("retries a rate limit or an outage, honouring Retry-After", async () => {
    const zone = fake.addZone("qladgk.com");
    fake.faults.push({ status: 429, times: 1, retryAfter: "0" }, { status: 503, times: 1 });
    expect(await findZones(conn(), "qladgk.com")).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
    fake.faults.push({ status: 503, times: 5 });
    await expect(listDnsRecords(conn(), zone.id)).rejects.toThrow(/Cloudflare refused to list the DNS records .*10001/);
  }, 20_000);

  it("names the token when Cloudflare rejects it, and never shows it", async () => {
    fake.addZone("qladgk.com");
    const e = await findZones({ ...conn(), apiToken: "wrong-token-value" }, "qladgk.com").catch((x) => x);
    expect(e.message).toMatch(
      /^cloudflare:apiToken was rejected: Cloudflare refused to list zones named qladgk.com \(10000 Authentication error\); create a token with Zone → DNS → Edit/,
    );
    expect(e.message).not.toContain("wrong-token-value");
    await expect(findZones({ ...conn(), apiToken: "" }, "qladgk.com")).rejects.toThrow(
      /cloudflare:apiToken was rejected: .*6003 Invalid request headers/,
    );
  });

  it("says when the token may not list zones, and how to do without", async () => {
    fake.addZone("qladgk.com");
    fake.tokens[0].zoneRead = false;
    await expect(findZones(conn(), "qladgk.com")).rejects.toThrow(
      /needs Zone → Zone → Read to find qladgk.com by name.*or set mailstack:cloudflareZoneId/,
    );
  });

  it("says when a zone ID does not exist or is not the token's", async () => {
    const zone = fake.addZone("qladgk.com");
    fake.tokens[0].zones = ["0".repeat(32)];
    await expect(listDnsRecords(conn(), zone.id)).rejects.toThrow(
      /9109 Unauthorized to access requested resource.*check mailstack:cloudflareZoneId/,
    );
  });

  it("says when Cloudflare cannot be reached", async () => {
    const url = fake.url;
    await fake.close();
    await expect(findZones({ apiToken: TOKEN, baseUrl: url }, "qladgk.com")).rejects.toThrow(
      /Could not reach the Cloudflare API at http:\/\/127\.0\.0\.1:\d+\/client\/v4\/ to list zones named qladgk.com \(ECONNREFUSED\)/,
    );
    fake = await startFakeCloudflare();
  }, 20_000);
});
