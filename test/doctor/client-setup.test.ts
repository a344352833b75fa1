import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PlannedDeployment } from "../../lib/planned";
import { mtaStsTxtValue, renderMtaStsPolicy } from "../../lib/well-known/mta-sts";
import { planWellKnown } from "../../lib/well-known/plan";
import { workerLoader } from "../support/well-known";
import { ZoneRecord } from "../support/dns-server";
import { FetchHandler } from "./fixtures/web-server";
import {
  CLIENT_SETUP,
  DOMAIN,
  HOSTNAME,
  Lab,
  MailServers,
  plannedDeployment,
  PlannedWithZone,
  startLab,
  writePlanned,
} from "./fixtures/scenario";
import { findCheck, JsonReport, parseReport, runDoctor } from "./fixtures/run-doctor";

/**
 * MTA-STS and client autoconfiguration, checked by the doctor against a loopback HTTPS server with a test CA
 * that runs the scenario's Worker (or a broken stand-in), and the loopback DNS server.
 */
let lab: Lab;
let servers: MailServers;
let good: PlannedWithZone;
const AUTOCONFIG_URL = `https://autoconfig.${DOMAIN}/mail/config-v1.1.xml`;
const AUTODISCOVER_URL = `https://autodiscover.${DOMAIN}/autodiscover/autodiscover.xml`;

beforeAll(async () => {
  lab = await startLab();
  servers = await MailServers.start(lab.goodCert, lab.relayCert);
  good = plannedDeployment(lab.dkimKey, servers.relay.port);
});
afterEach(() => {
  lab.web.handler = lab.worker;
});
afterAll(async () => {
  await servers?.close();
  await lab?.close();
});

async function doctor(
  options: { zone?: ZoneRecord[]; planned?: PlannedDeployment; handler?: FetchHandler; ca?: boolean } = {},
): Promise<JsonReport> {
  lab.dns.zone = options.zone ?? good.zone;
  if (options.handler) lab.web.handler = options.handler;
  const run = await runDoctor([
    "--planned",
    writePlanned(lab, options.planned ?? good.planned, "planned-client-setup.json"),
    "--resolver",
    lab.dns.address,
    "--connect",
    "127.0.0.1",
    ...(options.ca === false ? [] : ["--ca", lab.caFile]),
    "--dnsbl",
    "none",
    "--timeout",
    "2000",
    "--json",
    ...servers.portArgs(),
    ...lab.webPortArgs,
  ]);
  return parseReport(run);
}

/** The Worker, except for requests to `host`, which `answer` gets. */
const replacing =
  (host: string, answer: (request: Request) => Response | Promise<Response>): FetchHandler =>
  async (request) =>
    new URL(request.url).hostname === host ? answer(request) : lab.worker(request);

const policyCheck = (report: JsonReport) => findCheck(report, "MTA-STS", "policy https://");

describe("a correct deployment", () => {
  it("passes the id, the policy, the MX coverage, autoconfig and autodiscover; the DNS records pass too", async () => {
    const report = await doctor();
    expect(findCheck(report, "MTA-STS", `id _mta-sts.${DOMAIN}`)).toMatchObject({
      status: "pass",
      detail: `id ${good.planned.wellKnown!.mtaSts!.id}, the hash of the planned policy`,
    });
    expect(policyCheck(report)).toMatchObject({
      status: "pass",
      detail: expect.stringMatching(/^mode testing, mx mail\.example\.test, max_age 604800 \(testing: failures/),
    });
    expect(findCheck(report, "MTA-STS", "MX hosts covered")).toMatchObject({
      status: "pass",
      detail: "mail.example.test is in the policy",
    });
    expect(findCheck(report, "Client setup", `autoconfig ${AUTOCONFIG_URL}`).status).toBe("pass");
    expect(findCheck(report, "Client setup", `autodiscover ${AUTODISCOVER_URL}`)).toMatchObject({
      status: "pass",
      detail: "IMAP mail.example.test:993, SMTP mail.example.test:465 for alice@example.test",
    });
    for (const name of [
      `TXT _mta-sts.${DOMAIN}`,
      `TXT _smtp._tls.${DOMAIN}`,
      `SRV _imaps._tcp.${DOMAIN}`,
      `SRV _pop3._tcp.${DOMAIN}`,
    ])
      expect(findCheck(report, "DNS records", name).status, name).toBe("pass");
  });
});

describe("a broken policy host", () => {
  it("serving another policy than the plan (a stale deployment) fails, naming both", async () => {
    const stale = renderMtaStsPolicy({ mode: "enforce", mx: [HOSTNAME], maxAge: 86400 });
    const report = await doctor({
      handler: replacing(`mta-sts.${DOMAIN}`, () => new Response(stale, { headers: { "content-type": "text/plain" } })),
    });
    expect(policyCheck(report)).toMatchObject({
      status: "fail",
      detail: expect.stringContaining(
        "serves mode enforce, mx mail.example.test, max_age 86400; the plan is mode testing, mx mail.example.test, max_age 604800",
      ),
      fix: expect.stringContaining("Run `pulumi up`"),
    });
  });

  it.each([
    [
      "a redirect (not followed)",
      () => new Response(null, { status: 301, headers: { location: "https://www.example.test/mta-sts.txt" } }),
      "answered HTTP 301 → https://www.example.test/mta-sts.txt (only 200 counts",
    ],
    [
      "the wrong media type",
      () =>
        new Response(renderMtaStsPolicy({ mode: "testing", mx: [HOSTNAME], maxAge: 604800 }), {
          headers: { "content-type": "text/html" },
        }),
      'served as "text/html", not text/plain',
    ],
    [
      "a policy without max_age",
      () =>
        new Response("version: STSv1\r\nmode: testing\r\nmx: mail.example.test\r\n", {
          headers: { "content-type": "text/plain" },
        }),
      "not a valid policy: Invalid max_age field",
    ],
    ["a 404", () => new Response("no", { status: 404 }), "answered HTTP 404"],
  ])("%s fails", async (_, answer, detail) => {
    const report = await doctor({ handler: replacing(`mta-sts.${DOMAIN}`, answer) });
    expect(policyCheck(report)).toMatchObject({ status: "fail", detail: expect.stringContaining(detail) });
  });

  it("a certificate the sender cannot verify fails the fetch", async () => {
    const report = await doctor({ ca: false });
    expect(policyCheck(report)).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^cannot fetch it: .*(certificate|CERT)/),
    });
    expect(findCheck(report, "MTA-STS", "MX hosts covered").status).toBe("skip");
  });

  it("a policy host without an address fails, saying so", async () => {
    const zone = good.zone.filter((r) => r.name !== `mta-sts.${DOMAIN}`);
    expect(policyCheck(await doctor({ zone }))).toMatchObject({
      status: "fail",
      detail: `cannot fetch it: mta-sts.${DOMAIN} has no A or AAAA record`,
    });
  });
});

describe("the _mta-sts record", () => {
  const withoutSts = () => good.zone.filter((r) => r.name !== `_mta-sts.${DOMAIN}`);

  it("an old id fails: senders keep the policy they cached", async () => {
    const zone = [
      ...withoutSts(),
      { name: `_mta-sts.${DOMAIN}`, type: "TXT" as const, data: [mtaStsTxtValue("20240101")] },
    ];
    const check = findCheck(await doctor({ zone }), "MTA-STS", "id _mta-sts");
    expect(check).toMatchObject({ status: "fail", detail: expect.stringContaining("publishes id 20240101, the plan") });
    expect(check.fix).toContain(`"v=STSv1; id=${good.planned.wellKnown!.mtaSts!.id}"`);
  });

  it("none, or two, fail", async () => {
    expect(findCheck(await doctor({ zone: withoutSts() }), "MTA-STS", "id _mta-sts").detail).toBe(
      "no valid v=STSv1 record: senders never look for the policy",
    );
    const two = [...good.zone, { name: `_mta-sts.${DOMAIN}`, type: "TXT" as const, data: [mtaStsTxtValue("other1")] }];
    expect(findCheck(await doctor({ zone: two }), "MTA-STS", "id _mta-sts").detail).toContain(
      "more than one v=STSv1 record",
    );
  });
});

describe("MX coverage", () => {
  const backup: ZoneRecord = { name: DOMAIN, type: "MX", data: { preference: 20, exchange: "backup.example.net" } };

  it("an MX outside the policy warns in testing mode", async () => {
    const check = findCheck(await doctor({ zone: [...good.zone, backup] }), "MTA-STS", "MX hosts covered");
    expect(check).toMatchObject({
      status: "warn",
      detail: expect.stringContaining(
        "backup.example.net is not in the policy (mx mail.example.test): in enforce mode",
      ),
    });
  });

  it("and fails in enforce mode, where senders would refuse to deliver there", async () => {
    const enforce = { ...CLIENT_SETUP, mtaSts: { mode: "enforce" as const, maxAge: 604800 } };
    const plan = plannedDeployment(lab.dkimKey, servers.relay.port, enforce);
    const loader = workerLoader();
    try {
      const worker = await loader.load(planWellKnown({ domain: DOMAIN, hostname: HOSTNAME, setup: enforce }).site!);
      const report = await doctor({ planned: plan.planned, zone: [...plan.zone, backup], handler: worker.fetch });
      expect(policyCheck(report).status).toBe("pass");
      expect(findCheck(report, "MTA-STS", "MX hosts covered")).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("senders enforcing MTA-STS refuse to deliver there"),
      });
    } finally {
      loader.close();
    }
  });
});

describe("client autoconfiguration", () => {
  it("another file, malformed XML or an error answer fail", async () => {
    const xml = (body: string) => () => new Response(body, { headers: { "content-type": "application/xml" } });
    const report = await doctor({
      handler: async (request) => {
        const host = new URL(request.url).hostname;
        if (host === `autoconfig.${DOMAIN}`) return xml('<clientConfig version="1.1"><emailProvider></clientConfig>')();
        if (host === `autodiscover.${DOMAIN}`)
          return xml(
            '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response><Error><ErrorCode>600</ErrorCode></Error></Response></Autodiscover>',
          )();
        return lab.worker(request);
      },
    });
    expect(findCheck(report, "Client setup", "autoconfig")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^not well-formed XML/),
    });
    expect(findCheck(report, "Client setup", "autodiscover")).toMatchObject({
      status: "fail",
      detail: "the answer names no IMAP or SMTP server",
    });
    const other = await doctor({
      handler: replacing(
        `autoconfig.${DOMAIN}`,
        xml(good.planned.wellKnown!.autoconfig!.xml.replace(/mail\.example\.test/g, "imap.example.net")),
      ),
    });
    expect(findCheck(other, "Client setup", "autoconfig").detail).toBe("serves another configuration than the plan");
  });
});

describe("what the plan does not have", () => {
  it("outputs from before the client setup skip both sections, asking for pulumi up", async () => {
    const { wellKnown: _, ...older } = good.planned;
    const report = await doctor({ planned: older });
    for (const group of ["MTA-STS", "Client setup"]) {
      const checks = report.checks.filter((c) => c.group === group);
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ status: "skip", detail: expect.stringContaining("run pulumi up") });
    }
  });

  it("no policy planned skips MTA-STS", async () => {
    const plan = plannedDeployment(lab.dkimKey, servers.relay.port, { ...CLIENT_SETUP, mtaSts: undefined });
    const report = await doctor({ planned: plan.planned, zone: plan.zone });
    expect(findCheck(report, "MTA-STS", "policy")).toMatchObject({ status: "skip" });
  });
});
