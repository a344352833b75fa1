import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zoneLine } from "../../lib/dns-format";
import { ZoneRecord } from "../support/dns-server";
import { makeDkimPublicKey } from "../support/certificates";
import { quoteTxt, txtStrings } from "../../lib/dns-format";
import {
  DNSBL_ZONE,
  DOMAIN,
  HOSTNAME,
  Lab,
  MailServers,
  plannedDeployment,
  PlannedWithZone,
  startLab,
  writePlanned,
} from "./fixtures/scenario";
import { findCheck, parseReport, runDoctor } from "./fixtures/run-doctor";

/** DNS, reverse DNS and blocklist checks against a loopback DNS server serving good and broken zones. */
let lab: Lab;
let servers: MailServers;
let good: PlannedWithZone;
let plannedFile: string;

beforeAll(async () => {
  lab = await startLab();
  servers = await MailServers.start(lab.goodCert, lab.relayCert);
  good = plannedDeployment(lab.dkimKey, servers.relay.port);
  plannedFile = writePlanned(lab, good.planned);
});
afterAll(async () => {
  await servers?.close();
  await lab?.close();
});

/** Serves `zone` and runs the doctor with --json. */
async function doctorWith(zone: ZoneRecord[]) {
  const run = await doctorRun(zone, ["--json"]);
  return { run, report: parseReport(run) };
}

/** Serves `zone` and runs the doctor against the lab. */
async function doctorRun(zone: ZoneRecord[], extra: string[]) {
  lab.dns.zone = zone;
  return runDoctor([
    "--planned",
    plannedFile,
    "--resolver",
    lab.dns.address,
    "--connect",
    "127.0.0.1",
    "--ca",
    lab.caFile,
    "--dnsbl",
    DNSBL_ZONE,
    "--timeout",
    "2000",
    ...extra,
    ...servers.portArgs(),
    ...lab.webPortArgs,
  ]);
}

const without = (zone: ZoneRecord[], drop: (r: ZoneRecord) => boolean) => zone.filter((r) => !drop(r));
const isTxtAt = (name: string) => (r: ZoneRecord) => r.type === "TXT" && r.name === name;

describe("DNS checks", () => {
  it("pass on the correct zone, and the whole run exits 0", async () => {
    const { run, report } = await doctorWith(good.zone);
    expect(report.checks.filter((c) => c.status === "fail" || c.status === "warn")).toEqual([]);
    // Without credentials in the environment (and a backup plan) those checks are skipped, never passed.
    expect(new Set(report.checks.filter((c) => c.status === "skip").map((c) => c.group))).toEqual(
      new Set(["Credentials", "Resend", "Backup"]),
    );
    expect(run.code).toBe(0);
    expect(findCheck(report, "Mail authentication", "SPF").detail).toBe(
      'pass in "v=spf1 mx -all" (1 of 10 DNS lookups)',
    );
    expect(findCheck(report, "Mail authentication", "DKIM").detail).toContain("equals the planned key (2048-bit)");
    expect(findCheck(report, "Reverse DNS", "PTR 127.0.0.2").detail).toContain("resolves back to 127.0.0.2");
    // The relay's own records are checked like ours.
    expect(findCheck(report, "DNS records", `MX send.${DOMAIN}`).status).toBe("pass");
    // An unrelated TXT at the apex is not a conflict.
    expect(findCheck(report, "DNS records", `TXT ${DOMAIN}`).status).toBe("pass");
  });

  it("an empty zone: every fix is mailstack's (pulumi up, the zoneFile line), one per record, pasteable", async () => {
    const zone = good.zone.filter((r) => r.type === "PTR");
    const { report } = await doctorWith(zone);
    const fixes = report.checks.filter((c) => c.fix).map((c) => `${c.group} / ${c.name}: ${c.fix}`);
    expect(fixes.length).toBeGreaterThan(5);
    for (const fix of fixes) {
      expect(fix).not.toMatch(/\.\.(\s|$)/);
      expect(fix).not.toMatch(/setup email|OVERRIDE_HOSTNAME|picks up renewed|…/);
    }
    // Each planned record the empty zone lacks is proposed with its exact zoneFile line.
    const zoneLines = good.planned.dnsRecords.map((r) => zoneLine(r));
    for (const c of report.checks.filter((c) => c.group === "DNS records" && c.status === "fail")) {
      const [, ...paste] = c.fix!.split("\n");
      expect(paste.length, c.name).toBeGreaterThan(0);
      if (paste.length === 1) expect(zoneLines).toContain(paste[0].trim());
    }
    // Printed, every line fits 100 columns.
    const printed = await doctorRun(zone, ["--no-color"]);
    for (const line of printed.printed.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it("a missing record fails with the zone line to publish", async () => {
    const { run, report } = await doctorWith(without(good.zone, isTxtAt(`_dmarc.${DOMAIN}`)));
    expect(run.code).toBe(1);
    const record = findCheck(report, "DNS records", `TXT _dmarc.${DOMAIN}`);
    expect(record).toMatchObject({ status: "fail" });
    expect(record.detail).toContain("nothing published");
    expect(record.fix).toMatch(/^Mailstack publishes it on `pulumi up` .*`pulumi stack output zoneFile`:\n/);
    // The record as zone-file text; too long for one report line, in BIND's multi-line form.
    expect(record.fix).toContain(`\n    _dmarc.${DOMAIN}. 3600 IN TXT (\n        "v=DMARC1; p=quarantine`);
    expect(record.fix).not.toMatch(/\.\.(\s|$)/);
    // One answer per record: Mail authentication proposes the same record.
    expect(findCheck(report, "Mail authentication", "DMARC")).toMatchObject({
      status: "fail",
      detail: "no DMARC record",
      fix: record.fix,
    });
  });

  it("a wrong DKIM key fails as a different key", async () => {
    const other = makeDkimPublicKey();
    const zone = without(good.zone, isTxtAt(`mail._domainkey.${DOMAIN}`));
    zone.push({
      name: `mail._domainkey.${DOMAIN}`,
      type: "TXT",
      data: [`v=DKIM1; k=rsa; p=${other.slice(0, 200)}`, other.slice(200)],
    });
    const { report } = await doctorWith(zone);
    const dkim = findCheck(report, "Mail authentication", "DKIM");
    expect(dkim.status).toBe("fail");
    expect(dkim.detail).toContain("differs from the planned key: a different 2048-bit key");
    expect(dkim.fix).toContain("Replace the TXT record");
    expect(findCheck(report, "DNS records", `TXT mail._domainkey.${DOMAIN}`).detail).toContain(
      "conflicting extra record",
    );
  });

  it("a truncated DKIM key (only the first string published) fails as truncated", async () => {
    const full = good.zone.find(isTxtAt(`mail._domainkey.${DOMAIN}`))!.data as string[];
    const zone = without(good.zone, isTxtAt(`mail._domainkey.${DOMAIN}`));
    zone.push({ name: `mail._domainkey.${DOMAIN}`, type: "TXT", data: [full[0]] });
    const { report } = await doctorWith(zone);
    const dkim = findCheck(report, "Mail authentication", "DKIM");
    expect(dkim.status).toBe("fail");
    expect(dkim.detail).toMatch(/key is truncated: 237 of \d+ characters published/);
    expect(dkim.fix).toContain("not only the first 255 characters");
    // The whole planned key, pasteable: the multi-line zone form's strings join to the planned value.
    const strings = [...dkim.fix!.matchAll(/^ {8}"([^"]*)"$/gm)].map((m) => m[1]).join("");
    expect(strings).toContain(`p=${good.planned.dkim.publicKey}`);
    expect(dkim.fix).not.toContain("…");
  });

  it("two SPF records fail (permerror) and name the conflict", async () => {
    const zone = [...good.zone, { name: DOMAIN, type: "TXT" as const, data: ["v=spf1 include:other.test ~all"] }];
    const { report } = await doctorWith(zone);
    const spf = findCheck(report, "Mail authentication", `SPF ${DOMAIN}`);
    expect(spf.status).toBe("fail");
    expect(spf.detail).toContain("2 SPF records");
    expect(spf.fix).toContain("Merge them into a single TXT record at example.test: v=spf1 mx -all (mailstack's");
    expect(findCheck(report, "DNS records", `TXT ${DOMAIN}`).detail).toContain(
      'conflicting extra record: "v=spf1 include:other.test ~all"',
    );
  });

  it("an SPF record that does not authorise the server fails with a fix", async () => {
    const zone = without(
      good.zone,
      (r) => r.type === "TXT" && r.name === DOMAIN && String((r.data as string[])[0]).startsWith("v=spf1"),
    );
    zone.push({ name: DOMAIN, type: "TXT", data: ["v=spf1 ip4:192.0.2.1 -all"] });
    const { report } = await doctorWith(zone);
    const spf = findCheck(report, "Mail authentication", "authorises 127.0.0.2");
    expect(spf.status).toBe("fail");
    expect(spf.detail).toMatch(/^fail/);
    expect(spf.fix).toContain(`a:${HOSTNAME}`);
  });

  const withApexSpf = (value: string, extra: ZoneRecord[] = []) => [
    ...without(
      good.zone,
      (r) => r.type === "TXT" && r.name === DOMAIN && String((r.data as string[])[0]).startsWith("v=spf1"),
    ),
    { name: DOMAIN, type: "TXT" as const, data: [value] },
    ...extra,
  ];

  it("an SPF record with macros passes where a receiver passes it", async () => {
    const zone = withApexSpf("v=spf1 exists:%{i}._spf.%{d} -all", [
      { name: `127.0.0.2._spf.${DOMAIN}`, type: "A", data: "127.0.0.2" },
    ]);
    const { report } = await doctorWith(zone);
    expect(findCheck(report, "Mail authentication", "authorises 127.0.0.2")).toMatchObject({
      status: "pass",
      detail: 'pass in "v=spf1 exists:%{i}._spf.%{d} -all" (1 of 10 DNS lookups)',
    });
  });

  it("an SPF record only a lenient receiver accepts warns, with what a strict one refuses", async () => {
    const names = ["v6a", "v6b", "v6c"].map((label) => `${label}.${DOMAIN}`);
    const zone = withApexSpf(`v=spf1 ${names.map((n) => `a:${n}`).join(" ")} mx -all`, [
      ...names.map((name) => ({ name, type: "AAAA" as const, data: "2001:db8::1" })),
    ]);
    const { run, report } = await doctorWith(zone);
    const spf = findCheck(report, "Mail authentication", "authorises 127.0.0.2");
    expect(spf.status).toBe("warn");
    expect(spf.detail).toContain("void-lookup limit");
    expect(report.checks.filter((c) => c.group === "Mail authentication" && c.status === "fail")).toEqual([]);
    expect(run.code).toBe(1); // the DNS records check still fails: the SPF record differs from the plan
  });

  it("an extra MX pointing elsewhere fails", async () => {
    const zone = [
      ...good.zone,
      { name: DOMAIN, type: "MX" as const, data: { preference: 20, exchange: "backup.other.test" } },
    ];
    const { report } = await doctorWith(zone);
    const mx = findCheck(report, "DNS records", `MX ${DOMAIN}`);
    expect(mx.status).toBe("fail");
    expect(mx.detail).toContain("extra MX pointing elsewhere: 20 backup.other.test");
    expect(mx.fix).toContain(`Remove the other MX record at ${DOMAIN}`);
  });

  it("a bad PTR fails and the fix is the request for the provider", async () => {
    const zone = without(good.zone, (r) => r.type === "PTR");
    zone.push({ name: "2.0.0.127.in-addr.arpa", type: "PTR", data: "static-2.provider.test" });
    const { report } = await doctorWith(zone);
    const ptr = findCheck(report, "Reverse DNS", "PTR 127.0.0.2");
    expect(ptr).toMatchObject({ status: "fail", detail: `PTR is static-2.provider.test, expected ${HOSTNAME}` });
    expect(ptr.fix).toBe(`Ask your server provider to set the reverse DNS (PTR) of 127.0.0.2 to ${HOSTNAME}.`);
  });

  it("a PTR that is not forward-confirmed fails", async () => {
    const zone = without(good.zone, (r) => r.type === "A" && r.name === HOSTNAME);
    zone.push({ name: HOSTNAME, type: "A", data: "127.0.0.3" });
    const { report } = await doctorWith(zone);
    expect(findCheck(report, "Reverse DNS", "PTR").detail).toContain("not forward-confirmed");
    expect(findCheck(report, "DNS records", `A ${HOSTNAME}`).detail).toContain("missing 127.0.0.2");
  });

  it("DMARC p=none is only a warning: the exit status stays 0", async () => {
    const zone = without(good.zone, isTxtAt(`_dmarc.${DOMAIN}`));
    zone.push({ name: `_dmarc.${DOMAIN}`, type: "TXT", data: ["v=DMARC1; p=none"] });
    // Plan the same record, so only the policy judgement differs.
    const planned = {
      ...good.planned,
      dnsRecords: good.planned.dnsRecords.map((r) =>
        r.name === `_dmarc.${DOMAIN}` ? { ...r, content: '"v=DMARC1; p=none"' } : r,
      ),
    };
    const file = writePlanned(lab, planned, "planned-dmarc-none.json");
    lab.dns.zone = zone;
    const run = await runDoctor([
      "--planned",
      file,
      "--resolver",
      lab.dns.address,
      "--connect",
      "127.0.0.1",
      "--ca",
      lab.caFile,
      "--dnsbl",
      DNSBL_ZONE,
      "--timeout",
      "2000",
      "--json",
      ...servers.portArgs(),
      ...lab.webPortArgs,
    ]);
    const report = parseReport(run);
    expect(findCheck(report, "Mail authentication", "DMARC")).toMatchObject({ status: "warn" });
    expect(report.summary.fail).toBe(0);
    expect(run.code).toBe(0);
  });

  it("a server IP on the blocklist fails; a refused query only warns", async () => {
    let { report } = await doctorWith([
      ...good.zone,
      { name: `2.0.0.127.${DNSBL_ZONE}`, type: "A", data: "127.0.0.2" },
    ]);
    expect(findCheck(report, "Blocklist", "127.0.0.2")).toMatchObject({ status: "fail", detail: "listed (127.0.0.2)" });
    ({ report } = await doctorWith([
      ...good.zone,
      { name: `2.0.0.127.${DNSBL_ZONE}`, type: "A", data: "127.255.255.254" },
    ]));
    expect(findCheck(report, "Blocklist", "127.0.0.2").status).toBe("warn");
  });

  it("long answers are fetched over TCP when the UDP answer is truncated", async () => {
    lab.dns.udpLimit = 200;
    lab.dns.tcpQueries = 0;
    try {
      const { report } = await doctorWith(good.zone);
      expect(findCheck(report, "Mail authentication", "DKIM").status).toBe("pass");
      expect(lab.dns.tcpQueries).toBeGreaterThan(0);
    } finally {
      lab.dns.udpLimit = undefined;
    }
  });

  it("a resolver that does not answer fails the DNS checks without stopping the others", async () => {
    const run = await runDoctor([
      "--planned",
      plannedFile,
      "--resolver",
      "127.0.0.1:9",
      "--connect",
      "127.0.0.1",
      "--ca",
      lab.caFile,
      "--dnsbl",
      DNSBL_ZONE,
      "--timeout",
      "800",
      "--json",
      ...servers.portArgs(),
      ...lab.webPortArgs,
    ]);
    const report = parseReport(run);
    expect(run.code).toBe(1);
    // Reported once, as what it is; the DNS checks are skipped for it (the PTR is not "missing").
    expect(report.checks.filter((c) => c.group === "DNS resolver")).toEqual([
      expect.objectContaining({ status: "fail", detail: "resolver 127.0.0.1:9 does not answer (ECONNREFUSED)" }),
    ]);
    expect(report.checks.filter((c) => c.status === "fail")).toHaveLength(1);
    expect(findCheck(report, "DNS records", `MX ${DOMAIN}`)).toMatchObject({ status: "skip" });
    expect(findCheck(report, "Reverse DNS", "PTR 127.0.0.2").detail).toBe(
      "not checked: resolver 127.0.0.1:9 does not answer (ECONNREFUSED)",
    );
    expect(findCheck(report, "Port 25 SMTP", "TLS certificate").status).toBe("pass");
  });
});

describe("several domains (mailstack:domains)", () => {
  const SECOND = "second.test";
  const secondKey = makeDkimPublicKey();
  const dkimValue = `v=DKIM1; k=rsa; p=${secondKey}`;

  /** The good plan with a second hosted domain: its own MX, SPF, DMARC and DKIM key under its own selector. */
  function twoDomains() {
    const txt = (name: string, value: string) => ({
      type: "TXT" as const,
      name,
      content: quoteTxt(value),
      ttl: 3600,
      comment: "second domain",
    });
    const secondRecords = [
      { type: "MX" as const, name: SECOND, content: HOSTNAME, priority: 10, ttl: 3600, comment: "inbound mail" },
      txt(SECOND, "v=spf1 mx -all"),
      txt(`fam._domainkey.${SECOND}`, dkimValue),
      txt(`_dmarc.${SECOND}`, "v=DMARC1; p=reject;"),
    ];
    const planned = {
      ...good.planned,
      dnsRecords: [...good.planned.dnsRecords, ...secondRecords],
      domains: [
        {
          domain: DOMAIN,
          dkim: good.planned.dkim,
          relay: good.planned.relay,
          accounts: good.planned.accounts,
          aliases: [],
          blocked: [],
          dnsRecords: good.planned.dnsRecords,
          zoneFile: "",
        },
        {
          domain: SECOND,
          dkim: { selector: "fam", publicKey: secondKey },
          relay: good.planned.relay,
          accounts: [`hi@${SECOND}`],
          aliases: [],
          blocked: [],
          dnsRecords: secondRecords,
          zoneFile: "",
        },
      ],
    };
    const zone: ZoneRecord[] = [
      ...good.zone,
      { name: SECOND, type: "MX", data: { preference: 10, exchange: HOSTNAME } },
      { name: SECOND, type: "TXT", data: ["v=spf1 mx -all"] },
      { name: `fam._domainkey.${SECOND}`, type: "TXT", data: txtStrings(quoteTxt(dkimValue)) },
      { name: `_dmarc.${SECOND}`, type: "TXT", data: ["v=DMARC1; p=reject;"] },
    ];
    return { planned, zone };
  }

  async function doctorOnTwo(zone: ZoneRecord[]) {
    const { planned } = twoDomains();
    const file = writePlanned(lab, planned);
    lab.dns.zone = zone;
    const run = await runDoctor([
      "--planned",
      file,
      "--resolver",
      lab.dns.address,
      "--connect",
      "127.0.0.1",
      "--ca",
      lab.caFile,
      "--dnsbl",
      DNSBL_ZONE,
      "--timeout",
      "2000",
      "--json",
      ...servers.portArgs(),
      ...lab.webPortArgs,
    ]);
    return { run, report: parseReport(run) };
  }

  it("checks SPF, DKIM (each domain's own key and selector) and DMARC of every domain", async () => {
    const { run, report } = await doctorOnTwo(twoDomains().zone);
    expect(report.checks.filter((c) => c.status === "fail" || c.status === "warn")).toEqual([]);
    expect(run.code).toBe(0);
    const auth = report.checks.filter((c) => c.group === "Mail authentication").map((c) => c.name);
    for (const name of [
      `SPF ${DOMAIN} authorises 127.0.0.2`,
      `SPF ${SECOND} authorises 127.0.0.2`,
      `DKIM mail._domainkey.${DOMAIN}`,
      `DKIM fam._domainkey.${SECOND}`,
      `DMARC _dmarc.${DOMAIN}`,
      `DMARC _dmarc.${SECOND}`,
    ])
      expect(auth).toContain(name);
    expect(findCheck(report, "Mail authentication", `DKIM fam._domainkey.${SECOND}`).detail).toContain(
      "equals the planned key",
    );
    // The planned records of both domains are looked up.
    expect(findCheck(report, "DNS records", `MX ${SECOND}`).status).toBe("pass");
  });

  it("a domain whose record is missing fails alone, named", async () => {
    const zone = without(twoDomains().zone, isTxtAt(`fam._domainkey.${SECOND}`));
    const { run, report } = await doctorOnTwo(zone);
    const failed = report.checks.filter((c) => c.status === "fail" && c.group === "Mail authentication");
    expect(failed.map((c) => c.name)).toEqual([`DKIM fam._domainkey.${SECOND}`]);
    expect(findCheck(report, "Mail authentication", `DKIM mail._domainkey.${DOMAIN}`).status).toBe("pass");
    expect(run.code).not.toBe(0);
  });
});
