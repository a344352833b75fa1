/**
 * A zone that already has records — the seed's manual setup — against the real program and a loopback fake of
 * Cloudflare's API: the run stops before registering anything, with one message listing each record in the
 * way and its command; once the listed records are adopted, applying the run to the zone the way the
 * Cloudflare provider would (POST, or import then PUT) leaves exactly one record of each kind.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeCloudflare, FakeZone, startFakeCloudflare } from "../fakes/cloudflare-api";
import { applyDnsRecords } from "../support/apply-dns";
import { RESEND_DKIM } from "../support/fixtures";
import { PROD_CONFIG, runProgram } from "../support/run-program";

const DKIM_BY_HAND =
  '"v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAybULjMm1Pv2qn8l0SIan+I8NpBTanNQaVFNVLvR5We9QITGAfxJtVUJv9e9e0BV3XVR"';

/** The seed's records, typed into the dashboard (TXT quoted as the dashboard stores them, or not). */
function seedManualSetup(fake: FakeCloudflare, zone: FakeZone) {
  const add = (name: string, type: string, content: string, priority?: number) =>
    fake.addRecord(zone.id, { name, type, content, ...(priority === undefined ? {} : { priority }) });
  return {
    a: add("mail", "A", "11.22.33.44"),
    mx: add("@", "MX", "mail.qladgk.com", 10),
    spf: add("@", "TXT", '"v=spf1 mx -all"'),
    dmarc: add("_dmarc", "TXT", '"v=DMARC1; p=none;"'),
    dkim: add("mail._domainkey", "TXT", DKIM_BY_HAND),
    sendMx: add("send", "MX", "feedback-smtp.us-east-1.amazonses.com", 10),
    sendSpf: add("send", "TXT", "v=spf1 include:amazonses.com ~all"),
    resendDkim: add("resend._domainkey", "TXT", RESEND_DKIM),
    // Not mailstack's business: left alone.
    verification: add("@", "TXT", '"google-site-verification=abc123"'),
    www: add("www", "A", "11.22.33.44"),
  };
}

/** The `pulumi config set` commands a message prints, as the list they build. */
const adoptCommands = (message: string) =>
  [...message.matchAll(/pulumi config set --path 'adoptDnsRecords\[(\d+)\]' ([0-9a-f]{32})/g)].map((m) => m[2]);

let fake: FakeCloudflare;
let zone: FakeZone;
beforeEach(async () => {
  fake = await startFakeCloudflare();
  zone = fake.addZone("qladgk.com");
});
afterEach(async () => {
  await fake.close();
});

describe("a zone that already has the seed's records", () => {
  it("stops before registering anything, listing each record in the way with the command that resolves it", async () => {
    const seeded = seedManualSetup(fake, zone);
    const e = await runProgram(PROD_CONFIG, { cloudflare: fake }).catch((x) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e.resources).toEqual([]);
    const message: string = e.message;
    expect(message).toMatch(
      /^mailstack: the Cloudflare zone qladgk.com already has 8 records where mailstack publishes its own, so nothing was changed:/,
    );
    const inTheWay = [
      seeded.a,
      seeded.mx,
      seeded.spf,
      seeded.dmarc,
      seeded.dkim,
      seeded.sendMx,
      seeded.sendSpf,
      seeded.resendDkim,
    ];
    expect(adoptCommands(message).sort()).toEqual(inTheWay.map((r) => r.id).sort());
    expect(message).toContain(`pulumi config set --path 'adoptDnsRecords[0]' `);
    expect(message).toContain(`pulumi config set --path 'adoptDnsRecords[7]' `);
    expect(message).not.toContain(seeded.verification.id);
    expect(message).not.toContain(seeded.www.id);
    expect(fake.requests.every((r) => r.method === "GET")).toBe(true); // reads only
  });

  it("once they are listed, adopts each (import) and the applied zone holds one record of each kind", async () => {
    const seeded = seedManualSetup(fake, zone);
    const first = await runProgram(PROD_CONFIG, { cloudflare: fake }).catch((x) => x);
    const adoptDnsRecords = adoptCommands(first.message);

    const run = await runProgram({ ...PROD_CONFIG, adoptDnsRecords }, { cloudflare: fake });
    const dns = run.resources.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord");
    expect(
      dns
        .filter((r) => r.importId)
        .map((r) => r.importId!.split("/")[1])
        .sort(),
    ).toEqual(adoptDnsRecords.sort());
    expect(dns.every((r) => !r.importId || r.importId.startsWith(`${zone.id}/`))).toBe(true);

    expect(await applyDnsRecords(fake, run)).toEqual([]);
    const at = (name: string, type: string) =>
      fake.records.filter((r) => r.name === name && r.type === type).map((r) => r.content);
    expect(at("qladgk.com", "MX")).toEqual(["mail.qladgk.com"]);
    expect(at("qladgk.com", "TXT").sort()).toEqual(['"google-site-verification=abc123"', '"v=spf1 mx -all"']);
    expect(at("mail.qladgk.com", "A")).toEqual(["11.22.33.44"]);
    expect(at("mail._domainkey.qladgk.com", "TXT")).toHaveLength(1);
    expect(at("mail._domainkey.qladgk.com", "TXT")[0]).not.toBe(DKIM_BY_HAND); // now the server's own key
    expect(at("send.qladgk.com", "TXT")).toEqual(['"v=spf1 include:amazonses.com ~all"']);
    expect(fake.records.find((r) => r.id === seeded.www.id)).toBeDefined();
    // Every record mailstack manages now says so; the next run sees nothing in the way and imports nothing.
    expect(fake.records.filter((r) => r.comment?.startsWith("mailstack: "))).toHaveLength(dns.length);
    const next = await runProgram({ ...PROD_CONFIG, adoptDnsRecords }, { cloudflare: fake });
    expect(next.resources.filter((r) => r.importId)).toEqual([]);
  });

  it("asks to delete what cannot be adopted: a second MX, a second SPF, a CNAME on the mail host", async () => {
    const oldMx1 = fake.addRecord(zone.id, { name: "@", type: "MX", content: "mx1.mail.example.net", priority: 10 });
    const oldMx2 = fake.addRecord(zone.id, { name: "@", type: "MX", content: "mx2.mail.example.net", priority: 20 });
    const spf1 = fake.addRecord(zone.id, { name: "@", type: "TXT", content: '"v=spf1 include:_spf.example.net ~all"' });
    const spf2 = fake.addRecord(zone.id, { name: "@", type: "TXT", content: '"v=spf1 a -all"' });
    const cname = fake.addRecord(zone.id, { name: "mail", type: "CNAME", content: "home.example.net" });
    const e = await runProgram(PROD_CONFIG, { cloudflare: fake }).catch((x) => x);
    const lines: string[] = e.message.split("\n");
    const lineOf = (id: string) => lines.find((l) => l.includes(id))!;
    const commandOf = (id: string) => lines[lines.indexOf(lineOf(id)) + 1].trim();
    expect(adoptCommands(e.message)).toEqual([oldMx1.id, spf1.id]);
    expect(lineOf(oldMx2.id)).toMatch(/a second MX would receive part of the domain's mail/);
    expect(lineOf(spf2.id)).toMatch(/two SPF records make every SPF check fail/);
    expect(lineOf(cname.id)).toMatch(
      /a CNAME cannot share its name with another record, and mailstack publishes a A there/,
    );
    for (const id of [oldMx2.id, spf2.id, cname.id])
      expect(commandOf(id)).toBe(
        `curl -X DELETE -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" ${fake.url}zones/${zone.id}/dns_records/${id}`,
      );

    // Resolve as told: adopt the two, delete the three; then the run goes through and the zone is clean.
    for (const id of [oldMx2.id, spf2.id, cname.id])
      fake.records.splice(
        fake.records.findIndex((r) => r.id === id),
        1,
      );
    const run = await runProgram({ ...PROD_CONFIG, adoptDnsRecords: adoptCommands(e.message) }, { cloudflare: fake });
    expect(await applyDnsRecords(fake, run)).toEqual([]);
    expect(fake.records.filter((r) => r.name === "qladgk.com" && r.type === "MX").map((r) => r.content)).toEqual([
      "mail.qladgk.com",
    ]);
  });

  it("without the check the provider's creates are refused, or add a second DKIM key (what a run used to do)", async () => {
    seedManualSetup(fake, zone);
    const empty = await startFakeCloudflare();
    try {
      empty.addZone("qladgk.com", zone.id);
      const run = await runProgram(PROD_CONFIG, { cloudflare: empty }); // sees an empty zone: nothing in the way
      const errors = await applyDnsRecords(fake, run);
      for (const what of [
        "A mail.qladgk.com",
        "MX qladgk.com",
        "TXT qladgk.com",
        "TXT _dmarc.qladgk.com",
        "MX send.qladgk.com",
      ])
        expect(errors).toContain(`${what}: 81058 An identical record already exists.`);
      expect(fake.records.filter((r) => r.name === "mail._domainkey.qladgk.com")).toHaveLength(2);
    } finally {
      await empty.close();
    }
  });
});

describe("the zone lookup", () => {
  it("with no zone for the domain, stops with mailstack's message before registering anything", async () => {
    fake.zones.splice(0, fake.zones.length, { ...zone, name: "other.net" });
    const e = await runProgram(PROD_CONFIG, { cloudflare: fake }).catch((x) => x);
    expect(e.message).toBe(
      "mailstack: could not read the Cloudflare zone, nothing was changed:\n  - mailstack:domain: no Cloudflare zone named qladgk.com is visible to cloudflare:apiToken; add the domain to Cloudflare (or give the token access to its zone), or set mailstack:cloudflareZoneId",
    );
    expect(e.resources).toEqual([]);
  });

  it("a rejected token is named, with what to do, and its value never shown", async () => {
    const e = await runProgram(
      { ...PROD_CONFIG, "cloudflare:apiToken": "revoked-token-value" },
      { cloudflare: fake },
    ).catch((x) => x);
    expect(e.message).toMatch(
      /cloudflare:apiToken was rejected: .*10000 Authentication error.*pulumi config set --secret cloudflare:apiToken/,
    );
    expect(e.message).not.toContain("revoked-token-value");
  });
});

describe("Resend provisioning over Resend's records made by hand", () => {
  const PROVISIONED = { ...PROD_CONFIG, relayPassword: undefined, resend: {}, resendApiKey: "re_full_access_key" };
  const RESEND_RECORDS = [
    {
      record: "SPF",
      name: "send",
      type: "MX",
      value: "feedback-smtp.us-east-1.amazonses.com",
      priority: 10,
      ttl: "Auto",
    },
    { record: "SPF", name: "send", type: "TXT", value: '"v=spf1 include:amazonses.com ~all"', ttl: "Auto" },
    { record: "DKIM", name: "resend._domainkey", type: "TXT", value: RESEND_DKIM, ttl: "Auto" },
  ];

  it("stops before the domain is registered in Resend, then adopts them when Resend's answer names them", async () => {
    const seeded = seedManualSetup(fake, zone);
    const e = await runProgram(PROVISIONED, { cloudflare: fake, resendRecords: RESEND_RECORDS }).catch((x) => x);
    expect(e.resources).toEqual([]);
    expect(adoptCommands(e.message)).toEqual(
      expect.arrayContaining([seeded.sendMx.id, seeded.sendSpf.id, seeded.resendDkim.id]),
    );

    const run = await runProgram(
      { ...PROVISIONED, adoptDnsRecords: adoptCommands(e.message) },
      { cloudflare: fake, resendRecords: RESEND_RECORDS },
    );
    const imported = (name: string) =>
      run.resources.find((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.name === name)?.importId;
    expect(imported("mailstack-dns-resend-mx-send.qladgk.com")).toBe(`${zone.id}/${seeded.sendMx.id}`);
    expect(imported("mailstack-dns-resend-txt-send.qladgk.com")).toBe(`${zone.id}/${seeded.sendSpf.id}`);
    expect(imported("mailstack-dns-resend-txt-resend._domainkey.qladgk.com")).toBe(
      `${zone.id}/${seeded.resendDkim.id}`,
    );
    expect(await applyDnsRecords(fake, run)).toEqual([]);
  });
});
