/**
 * Issue 14 under mocks: several mail domains on one server, in two Cloudflare zones. Every record of every
 * domain in its zone, a DKIM key per domain (published = signing key), the relay routes per sender domain, and
 * what adding a domain changes (only that domain's resources).
 */
import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeCloudflare, startFakeCloudflare } from "../fakes/cloudflare-api";
import {
  containerEnv,
  containerFiles,
  newStateDir,
  ProgramRun,
  RegisteredResource,
  runProgram,
} from "../support/run-program";
import { MULTI_CONFIG, MULTI_SECRETS, PROD_CONFIG } from "../support/fixtures";
import { unquoteTxt } from "../../lib/dns-format";
import { rmSync } from "node:fs";

const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const DKIM_KEY = "tls:index/privateKey:PrivateKey";
const CONF = "/tmp/docker-mailserver";
const COM_ZONE = "a".repeat(32);
const FAMILY_ZONE = "b".repeat(32);
type Entry = Record<string, unknown>;
const ENTRIES = MULTI_CONFIG.domains as Entry[];

let fake: FakeCloudflare;
beforeAll(async () => {
  fake = await startFakeCloudflare();
  fake.addZone("example.com", COM_ZONE);
  fake.addZone("family.example", FAMILY_ZONE);
});
afterAll(async () => {
  await fake?.close();
});

const run = (config: Record<string, unknown>, stateDir?: string, preview = false) =>
  runProgram(config, { cloudflare: fake, secretKeys: [...MULTI_SECRETS, "resendApiKey"], stateDir, preview });
const records = (r: ProgramRun) => r.resources.filter((x) => x.type === DNS);
const recordAt = (r: ProgramRun, type: string, name: string) =>
  records(r).filter((x) => x.inputs.type === type && x.inputs.name === name);

describe("three domains, two zones", () => {
  let r: ProgramRun;
  beforeAll(async () => {
    r = await run(MULTI_CONFIG);
  }, 120_000);

  it("publishes each domain's MX, SPF, DMARC and DKIM in its zone; the host's address once", () => {
    const zoneOf = { "example.com": COM_ZONE, "family.example": FAMILY_ZONE, "lists.example.com": COM_ZONE };
    const selector = { "example.com": "mail", "family.example": "fam", "lists.example.com": "mail" };
    for (const [domain, zoneId] of Object.entries(zoneOf)) {
      const mx = recordAt(r, "MX", domain);
      expect(mx.map((x) => [x.inputs.content, x.inputs.priority, x.inputs.zoneId])).toEqual([
        ["mail.example.com", 10, zoneId],
      ]);
      const txt = (name: string) => recordAt(r, "TXT", name).map((x) => unquoteTxt(x.inputs.content));
      expect(txt(domain)).toEqual(["v=spf1 mx -all"]);
      expect(txt(`_dmarc.${domain}`)).toHaveLength(1);
      expect(txt(`${selector[domain as keyof typeof selector]}._domainkey.${domain}`)[0]).toMatch(
        /^v=DKIM1;.* p=[A-Za-z0-9+/]/,
      );
      // Resend's records, typed in per domain.
      expect(recordAt(r, "MX", `send.${domain}`)).toHaveLength(1);
      expect(recordAt(r, "TXT", `resend._domainkey.${domain}`)).toHaveLength(1);
    }
    expect(unquoteTxt(recordAt(r, "TXT", "_dmarc.family.example")[0].inputs.content)).toBe(
      "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com;",
    );
    // family.example sends its DMARC reports to example.com, whose zone says it accepts them.
    expect(
      recordAt(r, "TXT", "family.example._report._dmarc.example.com").map((x) => [
        unquoteTxt(x.inputs.content),
        x.inputs.zoneId,
      ]),
    ).toEqual([["v=DMARC1", COM_ZONE]]);
    // One server: its A record once, in the zone of the domain holding the host name.
    expect(
      records(r)
        .filter((x) => x.inputs.type === "A")
        .map((x) => [x.inputs.name, x.inputs.zoneId]),
    ).toEqual([["mail.example.com", COM_ZONE]]);
  });

  it("generates one DKIM key per domain, and each published key is the one its domain signs with", () => {
    const keys = r.resources.filter((x) => x.type === DKIM_KEY && x.name.includes("-dkim"));
    expect(keys.map((k) => k.name).sort()).toEqual([
      "mailstack-dkim-example.com-key",
      "mailstack-dkim-family.example-key",
      "mailstack-dkim-lists.example.com-key",
    ]);
    const files = containerFiles(r);
    // The default spam filter signs: Rspamd, one domain entry and one key file per domain.
    expect(containerEnv(r).ENABLE_RSPAMD).toBe("1");
    const signing = files.get(`${CONF}/rspamd/override.d/dkim_signing.conf`)!;
    const published = new Set<string>();
    for (const [domain, sel] of [
      ["example.com", "mail"],
      ["family.example", "fam"],
      ["lists.example.com", "mail"],
    ]) {
      const path = `${CONF}/rspamd/dkim/rsa-${sel}-${domain}.private.txt`;
      expect(signing).toContain(`    ${domain} {\n        path = "${path}";\n        selector = "${sel}";\n    }`);
      const p = /p=([A-Za-z0-9+/=]+)/.exec(
        unquoteTxt(recordAt(r, "TXT", `${sel}._domainkey.${domain}`)[0].inputs.content),
      )![1];
      const derived = createPublicKey(files.get(path)!).export({ type: "spki", format: "der" }).toString("base64");
      expect(p).toBe(derived);
      published.add(p);
    }
    expect(published.size).toBe(3);
    // lists.example.com is below example.com: Rspamd must not fold it into example.com's key.
    expect(signing).toContain("use_esld = false;");
  });

  it("relays each domain with its credential: the shared key by host, family.example's own by sender domain", () => {
    const files = containerFiles(r);
    expect(containerEnv(r).DEFAULT_RELAY_HOST).toBe("[smtp.resend.com]:587");
    expect(files.get(`${CONF}/postfix-sasl-password.cf`)).toBe(
      "[smtp.resend.com]:587 resend:re_shared_relay_key_123456\n@family.example resend:re_family_scoped_key_1234\n",
    );
    // One relay host for all: no sender-dependent relay map.
    expect(files.has(`${CONF}/postfix-relaymap.cf`)).toBe(false);
  });

  it("hosts every domain's accounts, catch-alls and cross-domain alias in one set of tables", () => {
    const files = containerFiles(r);
    const logins = files
      .get(`${CONF}/postfix-accounts.cf`)!
      .trim()
      .split("\n")
      .map((l) => l.split("|")[0]);
    expect(logins.sort()).toEqual([
      "hi@example.com",
      "hi@family.example",
      "me@example.com",
      "mom@family.example",
      "news@lists.example.com",
    ]);
    const virtual = files.get(`${CONF}/postfix-virtual.cf`)!;
    expect(virtual).toMatch(/^@example\.com hi@example\.com$/m);
    expect(virtual).toMatch(/^@family\.example mom@family\.example$/m);
    expect(virtual).toMatch(/^kids@family\.example mom@family\.example,me@example\.com$/m);
    // The configured password of hi@family.example, a generated one for hi@example.com.
    expect(r.outputs.passwords["hi@family.example"]).toBe("family-hi-password");
    expect(r.outputs.passwords["hi@example.com"]).toMatch(/^[A-Za-z0-9]{20,}$/);
  });

  it("exports each domain's records, zone file, DKIM key and relay", () => {
    const domains = r.outputs.domains as {
      domain: string;
      dkim: { selector: string; publicKey: string };
      relay: { host: string };
      dnsRecords: { name: string }[];
      zoneFile: string;
    }[];
    expect(domains.map((d) => d.domain)).toEqual(["example.com", "family.example", "lists.example.com"]);
    expect(domains[1].dkim.selector).toBe("fam");
    expect(domains[1].dnsRecords.every((x) => x.name === "family.example" || x.name.endsWith(".family.example"))).toBe(
      true,
    );
    expect(domains[1].zoneFile).toContain("$ORIGIN family.example.");
    expect(r.outputs.domain).toBe("example.com");
    expect(r.outputs.accounts).toHaveLength(5);
    // No secret in the outputs but the passwords.
    expect(JSON.stringify(r.outputs.domains)).not.toMatch(/re_shared|re_family|PRIVATE KEY/);
  });

  it("names the first domain's DKIM key and relay after the single-domain ones, as an alias", () => {
    const dkim = r.resources.find(
      (x) => x.type === "mailstack:dkim:DkimKey" && x.name === "mailstack-dkim-example.com",
    )!;
    expect(dkim.options?.aliases).toEqual([expect.objectContaining({ name: "mailstack-dkim" })]);
    const other = r.resources.find(
      (x) => x.type === "mailstack:dkim:DkimKey" && x.name === "mailstack-dkim-family.example",
    )!;
    expect(other.options?.aliases).toEqual([]);
  });
});

describe("Resend provisioning for several domains", () => {
  it("provisions each domain in Resend with one full-access key and relays each with a key scoped to it", async () => {
    const r = await run(
      {
        ...MULTI_CONFIG,
        relayPassword: undefined,
        relayPasswords: undefined,
        resendApiKey: "re_full_access_key",
        domains: ENTRIES.map(({ resend: _, ...entry }) => entry),
      },
      undefined,
    );
    const domains = r.resources.filter((x) => x.type === "pulumi-nodejs:dynamic/resend:ResendDomain");
    expect(domains.map((d) => d.inputs.name).sort()).toEqual(["example.com", "family.example", "lists.example.com"]);
    const keys = r.resources.filter((x) => x.type === "pulumi-nodejs:dynamic/resend:ResendSendingKey");
    expect(keys.map((k) => k.inputs.domainId).sort()).toEqual([
      "dom_example.com",
      "dom_family.example",
      "dom_lists.example.com",
    ]);
    expect(containerFiles(r).get(`${CONF}/postfix-sasl-password.cf`)).toBe(
      "[smtp.resend.com]:587 resend:re_minted_for_dom_example.com\n" +
        "@family.example resend:re_minted_for_dom_family.example\n" +
        "@lists.example.com resend:re_minted_for_dom_lists.example.com\n",
    );
  }, 120_000);
});

describe("adding and removing a domain", () => {
  const twoDomains = { ...MULTI_CONFIG, domains: ENTRIES.slice(0, 2) };
  const ofDomains = (r: ProgramRun, domains: string[]) =>
    r.resources.filter((x) =>
      domains.some(
        (d) =>
          x.name.includes(`-${d}`) ||
          (x.type === DNS && (x.inputs.name === d || String(x.inputs.name).endsWith(`.${d}`))),
      ),
    );
  const inputsByName = (rs: RegisteredResource[]) =>
    Object.fromEntries(rs.map((x) => [`${x.type}::${x.name}`, x.inputs]));

  it("adding a third domain leaves the first two's resources' inputs identical, and re-running changes nothing", async () => {
    const state = newStateDir();
    try {
      const before = await run(twoDomains, state);
      const after = await run(MULTI_CONFIG, state);
      const firstTwo = ["example.com", "family.example"];
      expect(inputsByName(ofDomains(after, firstTwo).filter((x) => !x.name.includes("lists.")))).toEqual(
        inputsByName(ofDomains(before, firstTwo)),
      );
      // Their keys are the same keys.
      const key = (r: ProgramRun, d: string) =>
        (r.outputs.domains as { domain: string; dkim: unknown }[]).find((x) => x.domain === d)!.dkim;
      for (const d of firstTwo) expect(key(after, d)).toEqual(key(before, d));
      // A preview of the same config over that state plans nothing.
      const again = await run(MULTI_CONFIG, state, true);
      expect(again.resources.filter((x) => x.op && x.op !== "same").map((x) => `${x.op} ${x.name}`)).toEqual([]);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }, 240_000);

  it("removing a domain plans the removal of only that domain's resources; the mail volumes stay", async () => {
    const state = newStateDir();
    try {
      await run(MULTI_CONFIG, state);
      const preview = await run(twoDomains, state, true);
      const changed = preview.resources.filter((x) => x.op && x.op !== "same").map((x) => x.name);
      // The container's files change (the domain's accounts, keys and tables leave); nothing of the others.
      expect(changed.every((n) => n.startsWith("mailstack-server") || n.includes("lists.example.com"))).toBe(true);
      // What is no longer registered is deleted: the removed domain's key, records and relay, nothing else.
      expect(preview.resources.filter((x) => x.name.includes("lists.example.com"))).toEqual([]);
      const volumes = preview.resources.filter((x) => x.type === "docker:index/volume:Volume");
      expect(volumes.length).toBeGreaterThan(0);
      expect(volumes.every((v) => v.op === "same")).toBe(true);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }, 240_000);

  it("a single-domain stack registers the names it always had", async () => {
    const single = await runProgram(PROD_CONFIG);
    const dkim = single.resources.find((x) => x.type === "mailstack:dkim:DkimKey")!;
    expect(dkim.name).toBe("mailstack-dkim");
    expect(single.resources.find((x) => x.type === "mailstack:relay:Relay")!.name).toBe("mailstack-relay");
    expect(single.outputs.domains).toBeUndefined();
  }, 120_000);
});
