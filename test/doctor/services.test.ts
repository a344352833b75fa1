import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { CheckResult } from "../../doctor/types";
import { startFakeResend, FakeResend } from "../fakes/resend-api";
import {
  certVariants,
  DNSBL_ZONE,
  DOMAIN,
  HOSTNAME,
  Lab,
  MailServers,
  PASSWORD,
  plannedDeployment,
  RELAY_PASSWORD,
  ServerVariant,
  startLab,
  USER,
  writePlanned,
} from "./fixtures/scenario";
import { findCheck, JsonReport, parseReport, runDoctor } from "./fixtures/run-doctor";

/** Ports, TLS, open relay, credentials and Resend, against loopback servers with good and broken setups. */
let lab: Lab;
let resend: FakeResend;

beforeAll(async () => {
  lab = await startLab();
  resend = await startFakeResend();
});
afterAll(async () => {
  await resend?.close();
  await lab?.close();
});

/** Starts the mail servers in `variant`, serves the good zone, runs the doctor, stops the servers. */
async function doctorAgainst(
  variant: ServerVariant,
  env: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<{ code: number; report: JsonReport }> {
  const servers = await MailServers.start(lab.goodCert, lab.relayCert, variant);
  try {
    const { planned, zone } = plannedDeployment(lab.dkimKey, servers.relay.port);
    lab.dns.zone = zone;
    const file = writePlanned(lab, planned, "planned-services.json");
    const run = await runDoctor(
      [
        "--planned",
        file,
        "--resolver",
        lab.dns.address,
        "--connect",
        "127.0.0.1",
        "--relay-connect",
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
        ...extraArgs,
      ],
      env,
    );
    return { code: run.code, report: parseReport(run) };
  } finally {
    await servers.close();
  }
}

const tlsChecks = (report: JsonReport): CheckResult[] => report.checks.filter((c) => c.name === "TLS certificate");

describe("ports and TLS", () => {
  it("good servers: reachable, hostname in the banner, valid certificates with chain and days, no AUTH before TLS", async () => {
    const { code, report } = await doctorAgainst({});
    expect(code).toBe(0);
    for (const port of [
      "Port 25 SMTP",
      "Port 465 submissions",
      "Port 587 submission",
      "Port 143 IMAP",
      "Port 993 IMAPS",
    ]) {
      expect(findCheck(report, port, "reachable").status).toBe("pass");
      const tls = findCheck(report, port, "TLS certificate");
      expect(tls.status).toBe("pass");
      expect(tls.detail).toMatch(
        /valid for mail\.example\.test, (89|90) days left .*chain: CN=mail\.example\.test ← CN=Mailstack Test CA/,
      );
    }
    expect(findCheck(report, "Port 25 SMTP", "reachable").detail).toContain(`220 ${HOSTNAME}`);
    expect(findCheck(report, "Port 587 submission", "no AUTH before TLS").status).toBe("pass");
    expect(findCheck(report, "Port 587 submission", "AUTH after TLS").status).toBe("pass");
    expect(findCheck(report, "Open relay", "refused")).toMatchObject({
      status: "pass",
      detail: expect.stringContaining("454"),
    });
  });

  it("an expired certificate fails everywhere with a renew fix", async () => {
    const { code, report } = await doctorAgainst({ cert: certVariants.expired(lab.ca) });
    expect(code).toBe(1);
    const checks = tlsChecks(report);
    expect(checks).toHaveLength(5);
    for (const check of checks) {
      expect(check.status).toBe("fail");
      expect(check.detail).toMatch(/^expired \d{4}-\d\d-\d\d \(3 days ago\)/);
      expect(check.fix).toContain(`Renew the certificate for ${HOSTNAME}`);
    }
  });

  it("a certificate for another name fails", async () => {
    const { report } = await doctorAgainst({ cert: certVariants.wrongName(lab.ca) });
    for (const check of tlsChecks(report)) {
      expect(check.status).toBe("fail");
      expect(check.detail).toContain(`not valid for ${HOSTNAME} (certificate names: other.example.test)`);
      expect(check.fix).toContain(`Issue the certificate for ${HOSTNAME}`);
    }
  });

  it("a certificate expiring within 20 days warns without failing the run", async () => {
    const { code, report } = await doctorAgainst({ cert: certVariants.expiringSoon(lab.ca) });
    for (const check of tlsChecks(report))
      expect(check).toMatchObject({ status: "warn", detail: expect.stringMatching(/(4|5) days left/) });
    expect(code).toBe(0);
  });

  it("without --ca the test CA is not trusted by the system CAs", async () => {
    const servers = await MailServers.start(lab.goodCert, lab.relayCert);
    try {
      const { planned, zone } = plannedDeployment(lab.dkimKey, servers.relay.port);
      lab.dns.zone = zone;
      const run = await runDoctor([
        "--planned",
        writePlanned(lab, planned, "p-noca.json"),
        "--resolver",
        lab.dns.address,
        "--connect",
        "127.0.0.1",
        "--dnsbl",
        "none",
        "--timeout",
        "2000",
        "--json",
        ...servers.portArgs(),
        ...lab.webPortArgs,
      ]);
      const tls = findCheck(parseReport(run), "Port 993 IMAPS", "TLS certificate");
      expect(tls.status).toBe("fail");
      expect(tls.detail).toContain("not trusted");
    } finally {
      await servers.close();
    }
  });

  it("AUTH offered before STARTTLS on 587 fails", async () => {
    const { report } = await doctorAgainst({ smtp587: { authBeforeTls: true } });
    const check = findCheck(report, "Port 587 submission", "no AUTH before TLS");
    expect(check).toMatchObject({ status: "fail", detail: "AUTH PLAIN LOGIN offered on an unencrypted connection" });
    expect(check.fix).toContain("smtpd_tls_auth_only");
  });

  it("a banner that does not name the hostname fails on 25", async () => {
    const { report } = await doctorAgainst({ smtp25: { bannerName: "localhost.localdomain" } });
    const check = findCheck(report, "Port 25 SMTP", "reachable");
    expect(check.status).toBe("fail");
    expect(check.detail).toContain(`does not name ${HOSTNAME}`);
  });

  it("an open relay fails", async () => {
    const { code, report } = await doctorAgainst({ smtp25: { openRelay: true } });
    const check = findCheck(report, "Open relay", "refused");
    expect(check.status).toBe("fail");
    expect(check.detail).toContain("OPEN RELAY");
    expect(check.fix).toContain("smtpd_relay_restrictions");
    expect(code).toBe(1);
  });

  it("a closed port fails as unreachable, skips its TLS check, and the other ports are still checked", async () => {
    const closed = await unusedPort();
    const { report } = await doctorAgainst({}, {}, ["--port", `143=${closed}`]);
    expect(findCheck(report, "Port 143 IMAP", "reachable")).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("ECONNREFUSED"),
    });
    expect(findCheck(report, "Port 143 IMAP", "TLS certificate")).toMatchObject({
      status: "skip",
      detail: "port not reachable",
    });
    expect(findCheck(report, "Port 993 IMAPS", "TLS certificate").status).toBe("pass");
  });
});

describe("timeouts", () => {
  it("a server that never answers is reported within the timeout, and the rest still runs", async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const { report } = await doctorAgainst({}, {}, ["--port", `25=${silent.port}`, "--port", `465=${silent.port}`]);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(findCheck(report, "Port 25 SMTP", "reachable")).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("no answer within 2000 ms"),
      });
      expect(findCheck(report, "Port 465 submissions", "reachable").status).toBe("fail");
      expect(findCheck(report, "Open relay", "refused").status).toBe("skip");
      expect(findCheck(report, "Port 993 IMAPS", "TLS certificate").status).toBe("pass");
    } finally {
      await silent.close();
    }
  });
});

describe("credentials (from the environment only)", () => {
  const mailbox = {
    MAILSTACK_DOCTOR_USER: USER,
    MAILSTACK_DOCTOR_PASSWORD: PASSWORD,
    MAILSTACK_RELAY_PASSWORD: RELAY_PASSWORD,
  };

  it("correct mailbox and relay passwords pass", async () => {
    const { report } = await doctorAgainst({}, mailbox);
    expect(findCheck(report, "Credentials", "SMTP AUTH on 587")).toMatchObject({
      status: "pass",
      detail: `TLS + AUTH as ${USER} accepted`,
    });
    expect(findCheck(report, "Credentials", "IMAP LOGIN on 993")).toMatchObject({ status: "pass" });
    expect(findCheck(report, "Credentials", "relay smtp.relay.test")).toMatchObject({
      status: "pass",
      detail: "TLS + AUTH as resend accepted",
    });
  });

  it("wrong passwords fail with a fix", async () => {
    const { report } = await doctorAgainst(
      {},
      { ...mailbox, MAILSTACK_DOCTOR_PASSWORD: "wrong", MAILSTACK_RELAY_PASSWORD: "wrong" },
    );
    const smtp = findCheck(report, "Credentials", "SMTP AUTH on 587");
    expect(smtp).toMatchObject({ status: "fail", detail: expect.stringContaining("535") });
    expect(smtp.fix).toContain("pulumi stack output passwords --show-secrets");
    expect(smtp.fix).toContain(`pulumi config set --secret --path 'passwords.${USER.split("@")[0]}' <password>`);
    expect(findCheck(report, "Credentials", "IMAP LOGIN on 993")).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("AUTHENTICATIONFAILED"),
    });
    expect(findCheck(report, "Credentials", "relay smtp.relay.test").status).toBe("fail");
  });

  it("a mailbox user without the domain fails before logging in: clients log in with the full address", async () => {
    const { report } = await doctorAgainst({}, { ...mailbox, MAILSTACK_DOCTOR_USER: "alice" });
    for (const name of ["SMTP AUTH on 587", "IMAP LOGIN on 993"])
      expect(findCheck(report, "Credentials", name)).toMatchObject({
        status: "fail",
        detail: expect.stringContaining('MAILSTACK_DOCTOR_USER is "alice", not an address'),
        fix: `Set MAILSTACK_DOCTOR_USER to the full address, e.g. alice@${DOMAIN}.`,
      });
  });

  it("without credentials the checks are skipped with the reason", async () => {
    const { report } = await doctorAgainst({});
    for (const check of report.checks.filter((c) => c.group === "Credentials")) {
      expect(check.status).toBe("skip");
      expect(check.detail).toMatch(/set MAILSTACK_/);
    }
  });
});

describe("Resend domain status", () => {
  const env = () => ({ RESEND_API_KEY: resend.fullKey, RESEND_BASE_URL: resend.url });

  it("verified passes (found on a later page), pending warns, missing and bad key fail", async () => {
    // More domains than one page of 100, ours last: the doctor has to follow the cursor.
    for (let i = 0; i < 100; i++) resend.seedDomain(`other${i}.test`);
    const ours = resend.seedDomain(DOMAIN);
    ours.status = "verified";
    let { report } = await doctorAgainst({}, env());
    expect(findCheck(report, "Resend", DOMAIN)).toMatchObject({
      status: "pass",
      detail: `status verified (id ${ours.id})`,
    });
    expect(resend.state.requests.map((r) => r.path)).toContain(
      `/domains?limit=100&after=${resend.state.domains[99].id}`,
    );

    ours.status = "pending";
    ({ report } = await doctorAgainst({}, env()));
    expect(findCheck(report, "Resend", DOMAIN)).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("status pending"),
    });

    resend.state.domains.splice(0);
    ({ report } = await doctorAgainst({}, env()));
    expect(findCheck(report, "Resend", DOMAIN)).toMatchObject({
      status: "fail",
      detail: `${DOMAIN} is not among the account's domains`,
    });

    ({ report } = await doctorAgainst({}, { ...env(), RESEND_API_KEY: "re_wrong" }));
    expect(findCheck(report, "Resend", DOMAIN)).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/HTTP 40[13]/),
      fix: expect.stringContaining("full-access key"),
    });
    // The key never appears in what is reported.
    expect(JSON.stringify(report)).not.toContain("re_wrong");

    ({ report } = await doctorAgainst({}, { ...env(), RESEND_API_KEY: resend.sendingKey }));
    expect(findCheck(report, "Resend", DOMAIN)).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("restricted_api_key"),
      fix: expect.stringContaining("Listing domains needs a full-access key"),
    });
  });

  it("retries a passing 5xx, and gives up on an API that does not answer within --timeout", async () => {
    resend.state.domains.splice(0);
    resend.seedDomain(DOMAIN).status = "verified";
    resend.injectFault({ method: "GET", path: /^\/domains$/, status: 503, times: 1 });
    let { report } = await doctorAgainst({}, env());
    expect(findCheck(report, "Resend", DOMAIN).status).toBe("pass");

    const silent = await silentServer();
    try {
      const started = Date.now();
      ({ report } = await doctorAgainst({}, { ...env(), RESEND_BASE_URL: `http://127.0.0.1:${silent.port}` }));
      expect(Date.now() - started).toBeLessThan(9000); // two attempts of 2 s and one back-off, not a hang
      expect(findCheck(report, "Resend", DOMAIN)).toMatchObject({
        status: "fail",
        detail: `Resend API: network_error: no answer from http://127.0.0.1:${silent.port}`,
      });
    } finally {
      await silent.close();
    }
  });
});

/** Accepts connections and never says a word: the doctor must give up after --timeout. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
