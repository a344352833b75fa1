import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unquoteTxt } from "../../lib/dns-format";
import { mtaStsPolicyId } from "../../lib/well-known/mta-sts";
import { newStateDir, ProgramRun, PROD_CONFIG, RegisteredResource, runProgram } from "../support/run-program";
import { workerLoader } from "../support/well-known";
import { startFakeCloudflare } from "../fakes/cloudflare-api";

/** MTA-STS, TLS-RPT, SRV and autoconfiguration through the real program, under mocks. */
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const CUSTOM_DOMAIN = "cloudflare:index/workersCustomDomain:WorkersCustomDomain";
const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "f".repeat(32);
const WITH_WORKER = { ...PROD_CONFIG, cloudflareAccountId: ACCOUNT };

const ofType = (run: ProgramRun, type: string) => run.resources.filter((r) => r.type === type);
const record = (run: ProgramRun, type: string, name: string): RegisteredResource | undefined =>
  ofType(run, DNS).find((r) => r.inputs.type === type && r.inputs.name === name);
const mtaStsTxt = (run: ProgramRun) => unquoteTxt(record(run, "TXT", "_mta-sts.qladgk.com")!.inputs.content);

const loader = workerLoader();
afterAll(() => loader.close());

describe("with an account ID: the Worker and its records", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(WITH_WORKER);
  });

  it("uploads one module script, named for the domain, with a fixed compatibility date", () => {
    const [script] = ofType(run, SCRIPT);
    expect(ofType(run, SCRIPT)).toHaveLength(1);
    expect(script.name).toBe("mailstack-client-setup-script");
    expect(script.inputs).toMatchObject({
      accountId: ACCOUNT,
      scriptName: "mailstack-qladgk-com",
      mainModule: "mail-setup.mjs",
      compatibilityDate: "2025-09-01",
    });
    expect(script.inputs.content.length).toBeGreaterThan(1000);
    expect(script.secretInputs).toEqual([]);
  });

  it("routes each host name to it through a custom domain in the zone, and publishes no DNS record there", () => {
    const domains = ofType(run, CUSTOM_DOMAIN).map((d) => d.inputs);
    expect(domains).toEqual(
      ["mta-sts.qladgk.com", "autoconfig.qladgk.com", "autodiscover.qladgk.com"].map((hostname) => ({
        accountId: ACCOUNT,
        hostname,
        service: "mailstack-qladgk-com",
        zoneId: ZONE,
      })),
    );
    // Cloudflare refuses a custom domain on a name with an A/AAAA/CNAME record, and makes its own.
    const names = new Set(ofType(run, DNS).map((r) => r.inputs.name));
    for (const d of domains) expect(names.has(d.hostname)).toBe(false);
  });

  it("serves, as uploaded, the policy whose hash `_mta-sts` publishes", async () => {
    const worker = await loader.loadSource(ofType(run, SCRIPT)[0].inputs.content);
    const res = await worker.fetch(new Request("https://mta-sts.qladgk.com/.well-known/mta-sts.txt"));
    const policy = await res.text();
    expect(policy).toBe("version: STSv1\r\nmode: testing\r\nmx: mail.qladgk.com\r\nmax_age: 604800\r\n");
    expect(mtaStsTxt(run)).toBe(`v=STSv1; id=${mtaStsPolicyId(policy)}`);
    expect(run.outputs.wellKnown.mtaSts).toMatchObject({ policy, id: mtaStsPolicyId(policy), mode: "testing" });
  });

  it("publishes `_mta-sts` only after its host's custom domain exists, the other records at once", () => {
    expect(record(run, "TXT", "_mta-sts.qladgk.com")!.options?.dependsOn).toEqual([
      "mailstack-client-setup-mta-sts.qladgk.com",
    ]);
    expect(record(run, "TXT", "_smtp._tls.qladgk.com")!.options?.dependsOn).toEqual([]);
  });

  it("publishes TLS-RPT to postmaster@ and the SRV records as Cloudflare data", () => {
    expect(record(run, "TXT", "_smtp._tls.qladgk.com")!.inputs).toMatchObject({
      content: '"v=TLSRPTv1; rua=mailto:postmaster@qladgk.com"',
      proxied: false,
      ttl: 3600,
      zoneId: ZONE,
    });
    expect(record(run, "SRV", "_imaps._tcp.qladgk.com")!.inputs).toMatchObject({
      priority: 0,
      data: { priority: 0, weight: 1, port: 993, target: "mail.qladgk.com" },
      proxied: false,
    });
    expect(record(run, "SRV", "_imaps._tcp.qladgk.com")!.inputs.content).toBeUndefined();
    expect(record(run, "SRV", "_imap._tcp.qladgk.com")!.inputs.data).toEqual({
      priority: 0,
      weight: 0,
      port: 0,
      target: ".",
    });
  });

  it("holds no secret: not in the script, not in the outputs", () => {
    const secrets = [
      PROD_CONFIG.relayPassword,
      PROD_CONFIG.tlsPrivateKey,
      "cf-test-token",
      run.outputs.backupKey,
      ...Object.values(run.outputs.passwords),
    ].map(String);
    const exposed = JSON.stringify([ofType(run, SCRIPT), ofType(run, CUSTOM_DOMAIN), run.outputs.wellKnown]);
    // A long secret (a PEM key) by a piece of its middle, past any header.
    for (const secret of secrets)
      expect(exposed).not.toContain(
        secret.length > 80 ? secret.slice(secret.length / 2, secret.length / 2 + 40) : secret,
      );
    expect(run.secretOutputs).not.toContain("wellKnown");
    expect(run.outputs.wellKnown.servedBy).toBe("worker");
  });
});

describe("the policy id changes with the policy, and only then", () => {
  const state = newStateDir();
  let first: ProgramRun;
  beforeAll(async () => {
    first = await runProgram(WITH_WORKER, { stateDir: state });
  });
  afterAll(() => rmSync(state, { recursive: true, force: true }));

  it("re-running with the same config registers the same resources and inputs", async () => {
    const again = await runProgram(WITH_WORKER, { stateDir: state });
    const view = (run: ProgramRun) =>
      run.resources
        .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, options: r.options }))
        .sort((a, b) => `${a.type}${a.name}`.localeCompare(`${b.type}${b.name}`));
    expect(view(again)).toEqual(view(first));
  });

  it("a new mode or max_age gives a new id and script; the other records stay", async () => {
    for (const mtaSts of [{ mode: "enforce" }, { maxAge: 1209600 }]) {
      const changed = await runProgram({ ...WITH_WORKER, mtaSts }, { stateDir: state });
      expect(mtaStsTxt(changed)).not.toBe(mtaStsTxt(first));
      expect(ofType(changed, SCRIPT)[0].inputs.content).not.toBe(ofType(first, SCRIPT)[0].inputs.content);
      expect(record(changed, "TXT", "_smtp._tls.qladgk.com")!.inputs).toEqual(
        record(first, "TXT", "_smtp._tls.qladgk.com")!.inputs,
      );
    }
  });

  it("anything else, autoconfiguration included, keeps the id", async () => {
    const changed = await runProgram(
      {
        ...WITH_WORKER,
        accounts: ["postmaster", "hi", "info", "news"],
        clientSetup: { apex: true, autodiscover: false },
        tlsRpt: { rua: "tls@qladgk.com" },
      },
      { stateDir: state },
    );
    expect(mtaStsTxt(changed)).toBe(mtaStsTxt(first));
    expect(ofType(changed, CUSTOM_DOMAIN).map((d) => d.inputs.hostname)).toEqual([
      "mta-sts.qladgk.com",
      "autoconfig.qladgk.com",
      "qladgk.com",
    ]);
  });
});

describe("without the Worker", () => {
  it("with dns: none exports the policy, the XML and the records for manual hosting", async () => {
    const run = await runProgram({ ...PROD_CONFIG, dns: "none", "cloudflare:apiToken": undefined });
    expect(ofType(run, SCRIPT)).toEqual([]);
    expect(ofType(run, CUSTOM_DOMAIN)).toEqual([]);
    const { wellKnown, zoneFile } = run.outputs;
    expect(wellKnown.servedBy).toBe("you");
    expect(wellKnown.mtaSts.policy).toContain("mode: testing\r\n");
    expect(wellKnown.autoconfig.xml).toContain("<hostname>mail.qladgk.com</hostname>");
    expect(zoneFile).toMatch(
      new RegExp(`^_mta-sts\\.qladgk\\.com\\. +3600 IN TXT +"v=STSv1; id=${wellKnown.mtaSts.id}"`, "m"),
    );
    expect(zoneFile).toMatch(/^_submissions\._tcp\.qladgk\.com\. +3600 IN SRV +0 1 465 mail\.qladgk\.com\. ;/m);
  });

  it("without an account ID publishes only the DNS parts, and no MTA-STS record without a policy", async () => {
    const run = await runProgram(PROD_CONFIG);
    expect(ofType(run, SCRIPT)).toEqual([]);
    expect(record(run, "TXT", "_mta-sts.qladgk.com")).toBeUndefined();
    expect(record(run, "TXT", "_smtp._tls.qladgk.com")).toBeDefined();
    expect(ofType(run, DNS).filter((r) => r.inputs.type === "SRV")).toHaveLength(6);
  });
});

describe("records already in the way", () => {
  it("stop the run before anything is registered: hand-made records at the Worker's names, and client-setup records", async () => {
    const fake = await startFakeCloudflare();
    try {
      const zone = fake.addZone("qladgk.com");
      const add = (name: string, type: string, content: string, proxied = false) =>
        fake.addRecord(zone.id, { name, type, content, proxied });
      const autoconfig = add("autoconfig", "A", "11.22.33.44");
      const autodiscover = add("autodiscover", "CNAME", "autodiscover.outlook.com");
      const ours = add("mta-sts", "AAAA", "100::", true); // what a custom domain made on an earlier run
      const tlsRpt = add("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=mailto:reports@qladgk.com"');
      const e = await runProgram(WITH_WORKER, { cloudflare: fake }).catch((x) => x);
      expect(e.resources).toEqual([]);
      const message: string = e.message;
      expect(message).toMatch(/^mailstack: the Cloudflare zone qladgk.com already has 3 records/);
      expect(message).toContain(`zones/${zone.id}/dns_records/${autoconfig.id}`);
      expect(message).toContain(`zones/${zone.id}/dns_records/${autodiscover.id}`);
      expect(message).toContain("the client-setup Worker serves this name");
      expect(message).toContain(`pulumi config set --path 'adoptDnsRecords[0]' ${tlsRpt.id}`);
      expect(message).not.toContain(ours.id);
      expect(fake.requests.every((r) => r.method === "GET")).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
