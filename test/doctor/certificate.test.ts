/**
 * The doctor's Certificate section for tls.mode acme, wired end to end: CAA through a DNS client, the renewer's
 * files over the stand-in docker CLI, and the certificate port 465 presents (a TLS server with an SMTP banner).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createSecureContext, createServer, Server } from "node:tls";
import { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCertificate } from "../../doctor/checks/certificate";
import { DoctorContext } from "../../doctor/context";
import { makeCa, makeServerCert, validFor } from "../support/certificates";
import { pathWithStandIns } from "../addresses/fixtures/run-addresses";
import { STATUS_FILE } from "../../lib/render/acme";

const HOST = "mail.example.net";
const ISSUE = "letsencrypt.org; accounturi=https://acme.test/acct/1; validationmethods=dns-01";
const ca = makeCa("Test ACME CA");
const older = makeServerCert(ca, [HOST], validFor(30));
const latest = makeServerCert(ca, [HOST], validFor(80));

let dir: string;
let server: Server;
let served = older;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailstack-doctor-cert-"));
  const live = join(dir, "engine", "mailserver-certs", "etc", "letsencrypt");
  mkdirSync(join(live, "live", HOST), { recursive: true });
  writeFileSync(join(live, "live", HOST, "fullchain.pem"), latest.cert + ca.cert);
  writeFileSync(
    join(dir, "engine", "mailserver-certs", STATUS_FILE.slice(1)),
    `checked=${new Date().toISOString()}\nresult=ok\ndetail=published a new certificate\npublished=${new Date(Date.now() - 3_600_000).toISOString()}\n`,
  );
  server = createServer({ SNICallback: (_n, cb) => cb(null, createSecureContext(served)) }, (s) => {
    s.write(`220 ${HOST} ESMTP\r\n`);
    s.on("data", () => s.end("221 bye\r\n"));
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const context = (caa: { flags: number; tag: string; value: string }[]): DoctorContext =>
  ({
    planned: {
      hostname: HOST,
      docker: { containerName: "mailserver" },
      tls: {
        mode: "acme",
        server: "https://acme.test/directory",
        accountUri: "https://acme.test/acct/1",
        caa: ISSUE,
        renewDays: 30,
        checkHours: 12,
        container: "mailserver-certs",
        certificatePath: `/etc/letsencrypt/live/${HOST}/fullchain.pem`,
        statusFile: STATUS_FILE,
      },
    },
    options: {
      connect: "127.0.0.1",
      portOverrides: new Map([[465, (server.address() as AddressInfo).port]]),
      timeoutMs: 3000,
    },
    dns: { caa: async (n: string) => (n === HOST ? caa : []), description: "test DNS" },
    env: { PATH: pathWithStandIns(), STANDIN_DOCKER_ROOT: join(dir, "engine") },
    ca: Buffer.from(ca.cert),
    now: new Date(),
  }) as unknown as DoctorContext;

describe("Certificate (tls.mode acme)", () => {
  it("fails when the server still presents an older certificate than the renewer published an hour ago", async () => {
    served = older;
    const results = await checkCertificate(context([{ flags: 0, tag: "issue", value: ISSUE }]));
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ["CAA", "pass"],
      ["renewal", "pass"],
      ["latest served", "fail"],
    ]);
    expect(results[1].detail).toMatch(/issued by CN=Test ACME CA.*\(\d+ days\); last check .*: ok/);
    expect(results[2].fix).toBe("Restart the mail server so it loads the new certificate: docker restart mailserver");
  });

  it("passes when it presents the latest; a CAA set without the CA fails", async () => {
    served = latest;
    const results = await checkCertificate(context([{ flags: 0, tag: "issue", value: "pki.goog" }]));
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ["CAA", "fail"],
      ["renewal", "pass"],
      ["latest served", "pass"],
    ]);
  });

  it("skips what it cannot read over Docker, naming why", async () => {
    const c = context([]);
    c.env = { PATH: pathWithStandIns(), STANDIN_DOCKER_ROOT: join(dir, "nowhere") };
    const results = await checkCertificate(c);
    expect(results.slice(1).map((r) => r.status)).toEqual(["skip", "skip"]);
    expect(results[1].detail).toContain("No such container: mailserver-certs");
  });
});
