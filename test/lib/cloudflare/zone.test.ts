import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readZone } from "../../../lib/cloudflare/zone";
import { FakeCloudflare, startFakeCloudflare } from "../../fakes/cloudflare-api";

let fake: FakeCloudflare;
const TOKEN = "cf-test-token";
const conn = () => ({ apiToken: TOKEN, baseUrl: fake.url });

beforeEach(async () => {
  fake = await startFakeCloudflare();
});
afterEach(async () => {
  await fake.close();
});

describe("readZone: the zone the records go to", () => {
  it("with no zone of that name, says so in mailstack's words (not the data source's 'failed to find exactly one result')", async () => {
    fake.addZone("other.net");
    await expect(readZone(conn(), "qladgk.com")).rejects.toThrow(
      "mailstack:domain: no Cloudflare zone named qladgk.com is visible to cloudflare:apiToken; add the domain to Cloudflare (or give the token access to its zone), or set mailstack:cloudflareZoneId",
    );
  });

  it("reads the zone's records, and warns while the zone is still pending", async () => {
    const zone = fake.addZone("qladgk.com", undefined, "pending");
    fake.addRecord(zone.id, { name: "@", type: "MX", content: "mx.example.net", priority: 5 });
    const z = await readZone(conn(), "qladgk.com");
    expect(z).toMatchObject({ id: zone.id, name: "qladgk.com" });
    expect(z.records.map((r) => [r.type, r.name, r.priority])).toEqual([["MX", "qladgk.com", 5]]);
    expect(z.warnings[0]).toMatch(/qladgk.com is pending: .*nameservers/);
  });

  it("finds a domain hosted below another in the nearest parent's zone (mailstack:domains)", async () => {
    const parent = fake.addZone("example.com");
    fake.addZone("com.example");
    expect(await readZone(conn(), "lists.example.com")).toMatchObject({ id: parent.id, name: "example.com" });
    expect(await readZone(conn(), "a.b.example.com")).toMatchObject({ id: parent.id, name: "example.com" });
    // Its own zone wins when Cloudflare has one.
    const own = fake.addZone("lists.example.com");
    expect(await readZone(conn(), "lists.example.com")).toMatchObject({ id: own.id });
    await expect(readZone(conn(), "lists.example.org")).rejects.toThrow(
      "no Cloudflare zone named lists.example.org or a parent of it is visible",
    );
  });

  it("refuses two zones of the same name, and asks which", async () => {
    fake.addZone("qladgk.com");
    fake.addZone("qladgk.com");
    await expect(readZone(conn(), "qladgk.com")).rejects.toThrow(
      /sees 2 zones named qladgk.com .*set mailstack:cloudflareZoneId/,
    );
  });

  it("with a zone ID, needs no Zone:Read, and refuses the ID of another domain's zone", async () => {
    const mine = fake.addZone("qladgk.com");
    const other = fake.addZone("other.net");
    fake.addRecord(other.id, { name: "www", type: "A", content: "192.0.2.1" });
    fake.tokens[0].zoneRead = false;
    expect((await readZone(conn(), "qladgk.com", mine.id)).id).toBe(mine.id);
    await expect(readZone(conn(), "qladgk.com", other.id)).rejects.toThrow(
      `mailstack:cloudflareZoneId ${other.id} is the zone of other.net, not of qladgk.com`,
    );
  });
});
