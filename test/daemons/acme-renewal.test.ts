/**
 * Issue 10: certificates that issue and renew themselves. The renewer container the program registers (its
 * script, environment, uploaded files and volumes, taken from the registered container spec) runs in a
 * container root with Debian's lego 4.9.1 standing at /lego, against Pebble (Let's Encrypt's test CA). DNS-01
 * records go to a loopback stand-in of Cloudflare's API at api.cloudflare.com (the container's resolver, a
 * stand-in DNS on 127.53.x.y port 53, says where), which enforces the permissions and zone scope the program
 * gave the token and feeds pebble-challtestsrv, the DNS Pebble validates against. lego checks propagation
 * the way it does in production (SOA, NS, then the TXT at the zone's nameserver). The ACME account is
 * registered by the program's AcmeAccount provider, for real.
 *
 * What differs from production:
 *  - lego is Debian's 4.9.1 (the image pins 4.35.2; both accept every flag used and read `<VAR>_FILE`);
 *  - Debian builds lego without its Cloudflare provider (debian/rules lists cloudflare among the disabled
 *    providers), so `--dns cloudflare` becomes `--dns exec` with EXEC_PATH naming cloudflare-exec.sh, which
 *    makes lego's Cloudflare calls (zone by name, TXT add and delete) with the same token file — lego's own
 *    Cloudflare client code is not exercised here; everything else in the script and command lines is;
 *  - the container trusts the test CA through SSL_CERT_FILE, and /etc/resolv.conf names the stand-in DNS.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { Agent } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import acme from "acme-client";
import { daemonsRunnable } from "./harness/daemons-available";
import { ContainerMount, ContainerUpload, runInContainerRoot } from "./harness/container-root";
import { Pebble, startPebble } from "./harness/pebble";
import { FakeCloudflare, startFakeCloudflare } from "../fakes/cloudflare-dns-api";
import { startZoneDns, ZoneDns } from "../fakes/zone-dns";
import { makeCa, makeServerCert, TestCa } from "../support/certificates";
import { ACME_CONFIG } from "../support/fixtures";
import { PERMISSION_GROUP_IDS } from "../../preview/mocks";
import { ProgramRun, resourceOf, runProgram } from "../support/run-program";
import { acmeAccountProvider } from "../../components/acme-account";
import { CERTS_MOUNT, RENEWER, renderAccountJson, renderRenewerScript, STATUS_FILE } from "../../lib/render/acme";
import { parseConfig } from "../../lib/config";
import { rawConfig } from "../support/raw-config";

const HOST = "mail.example.net";
const ZONE_ID = "f".repeat(32);
const DAY = 86_400;
/** One loopback address per run for the stand-in DNS (port 53) and API (port 443). */
const STAND_IN = `127.53.${(process.pid >> 8) & 255}.${process.pid & 255 || 1}`;

const run = daemonsRunnable();

/** The one change to the program's script: Debian's lego has no Cloudflare provider (see above). */
function withExecProvider(script: string): string {
  const lines = script.split("\n").filter((l) => l.includes(" --dns cloudflare "));
  expect(lines).toHaveLength(3); // issue, renew, force
  return script.replaceAll(" --dns cloudflare ", " --dns exec ");
}

describe.runIf(run)("the renewer against Pebble, DNS-01 through the Cloudflare API stand-in", () => {
  let ca: TestCa;
  let pebble: Pebble;
  let cloudflare: FakeCloudflare;
  let dns: ZoneDns;
  let program: ProgramRun;
  let scratch: string;
  let uploads: ContainerUpload[];
  let mounts: ContainerMount[];
  let envs: string[];
  let accountUri: string;
  const config = (server: string) => ({
    ...ACME_CONFIG,
    tls: { acme: { email: "admin@example.net", server, caaIssuer: "pebble.letsencrypt.org" } },
  });

  beforeAll(async () => {
    ca = makeCa("Mailstack ACME Test CA");
    // Certificates live 45 days: the deployed schedule (renew at 30 days left) finds them not due.
    pebble = await startPebble(ca, { validitySeconds: 45 * DAY });
    program = await runProgram(config(pebble.directory));
    const renewer = resourceOf(program, "docker:index/container:Container", "-acme-container");
    const files = new Map((renewer.inputs.uploads as ContainerUpload[]).map((u) => [u.file, u]));

    // The token the program minted, with the permissions and zone the program gave it.
    const token = resourceOf(program, "cloudflare:index/apiToken:ApiToken");
    const [policy] = token.inputs.policies;
    const names = Object.fromEntries(Object.entries(PERMISSION_GROUP_IDS).map(([name, id]) => [id, name]));
    const scope = Object.keys(JSON.parse(policy.resources))[0].split(".").pop()!;
    cloudflare = await startFakeCloudflare({
      host: STAND_IN,
      port: 443,
      tls: makeServerCert(ca, ["api.cloudflare.com"]),
      zones: [
        { id: ZONE_ID, name: "example.net" },
        { id: "e".repeat(32), name: "example.org" },
      ],
      tokens: [
        {
          value: files.get(RENEWER.tokenFile)!.content.trim(),
          zoneId: scope,
          permissions: policy.permissionGroups.map((g: { id: string }) => names[g.id]),
        },
      ],
      challtestsrv: pebble.challtestsrv,
    });
    dns = await startZoneDns({
      address: STAND_IN,
      zone: "example.net",
      hosts: { "api.cloudflare.com": STAND_IN },
      challtestsrvPort: pebble.dnsPort,
    });

    // The account, registered by the program's provider with the key the program generated.
    (acme.axios.defaults as { httpsAgent?: Agent }).httpsAgent = new Agent({ ca: ca.cert });
    const account = await acmeAccountProvider.create({
      server: pebble.directory,
      email: "admin@example.net",
      accountKeyPem: files.get(RENEWER.accountKey)!.content,
    });
    accountUri = account.outs!.uri;
    const acmeConfig = parseConfig(rawConfig(config(pebble.directory), ["cloudflare:apiToken"])).tls.acme!;

    scratch = mkdtempSync(join(tmpdir(), "mailstack-acme-"));
    writeFileSync(join(scratch, "resolv.conf"), `nameserver ${STAND_IN}\n`);
    uploads = [
      ...[...files.values()].map((u) =>
        // The account file as the program renders it, for the account the CA really registered.
        u.file === RENEWER.accountJson
          ? { ...u, content: renderAccountJson(acmeConfig, accountUri) }
          : u.file === RENEWER.script
            ? { ...u, content: withExecProvider(u.content) }
            : u,
      ),
      { file: "/run/test/ca.pem", content: ca.cert, permissions: "0644" },
      {
        file: "/run/test/cloudflare-exec.sh",
        content: readFileSync(join(__dirname, "harness/cloudflare-exec.sh"), "utf8"),
        permissions: "0755",
      },
    ];
    const volumes = renewer.inputs.volumes as { volumeName: string; containerPath: string }[];
    mounts = [
      ...volumes.map((v) => ({
        source: mkdtempSync(join(scratch, "volume-")),
        target: v.containerPath,
        readOnly: false,
      })),
      { source: "/usr/bin/lego", target: "/lego", readOnly: true },
      { source: join(scratch, "resolv.conf"), target: "/etc/resolv.conf", readOnly: true },
    ];
    envs = [
      ...(renewer.inputs.envs as string[]),
      "SSL_CERT_FILE=/run/test/ca.pem",
      "EXEC_PATH=/run/test/cloudflare-exec.sh",
    ];
  }, 120_000);

  afterAll(async () => {
    await cloudflare?.close();
    await dns?.close();
    pebble?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const certsDir = () => mounts.find((m) => m.target === CERTS_MOUNT)!.source;
  const renew = (command: string, scriptUploads = uploads) =>
    runInContainerRoot({ uploads: scriptUploads, mounts, envs }, `/bin/sh ${RENEWER.script} ${command}`, {
      timeoutMs: 180_000,
    });
  const live = () => {
    const dir = join(certsDir(), "live", HOST);
    const leaf = new X509Certificate(readFileSync(join(dir, "fullchain.pem")));
    return { leaf, key: readFileSync(join(dir, "privkey.pem"), "utf8"), dir };
  };
  /** docker-mailserver's own functions, reading the volume at /etc/letsencrypt (read-only, as it mounts it). */
  const dmsView = async () => {
    const r = await runInContainerRoot(
      {
        uploads: [
          {
            file: "/run/test/dms.sh",
            content: readFileSync(join(__dirname, "harness/dms-letsencrypt.sh"), "utf8"),
            permissions: "0644",
          },
        ],
        mounts: [{ source: certsDir(), target: CERTS_MOUNT, readOnly: true }],
        envs: ["SSL_TYPE=letsencrypt", `SSL_DOMAIN=${HOST}`, `HOSTNAME=${HOST}`, "DOMAINNAME=example.net"],
      },
      `bash -c 'source /run/test/dms.sh && echo "domain=$(_find_letsencrypt_domain) key=$(_find_letsencrypt_key ${HOST})" && _monitored_files_checksums'`,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout;
  };
  let first: X509Certificate;
  let firstChecksums: string;

  it("issues the first certificate: DNS-01 through the token's zone, published where docker-mailserver reads it", async () => {
    const r = await renew("check");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { leaf, key, dir } = live();
    first = leaf;
    expect(leaf.checkHost(HOST)).toBe(HOST);
    expect(leaf.checkPrivateKey(createPrivateKey(key))).toBe(true);
    // Signed by Pebble's chain, which ends at its root.
    const chain = readFileSync(join(dir, "fullchain.pem"), "utf8").match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    )!;
    const root = new X509Certificate(await pebble.root());
    expect(new X509Certificate(chain.at(-1)!).verify(root.publicKey)).toBe(true);
    // live/ holds links into archive/, like certbot's layout; the key is readable by root only.
    expect(lstatSync(join(dir, "fullchain.pem")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "privkey.pem"))).toBe(`../../archive/${HOST}/privkey1.pem`);
    expect(lstatSync(join(certsDir(), "archive", HOST, "privkey1.pem")).mode & 0o777).toBe(0o600);
    // The challenge went through the stand-in with the minted token, in its zone only, and was cleaned up.
    expect(cloudflare.state.created).toEqual([{ name: `_acme-challenge.${HOST}`, content: expect.any(String) }]);
    expect(cloudflare.state.records).toEqual([]);
    expect(cloudflare.state.requests.every((q) => q.status === 200)).toBe(true);
    expect(cloudflare.state.requests.map((q) => q.method)).toEqual(expect.arrayContaining(["GET", "POST", "DELETE"]));
    // lego used the program's account (the one the CAA record names) and registered none of its own.
    const legoAccount = join(
      mounts.find((m) => m.target === RENEWER.legoPath)!.source,
      "accounts",
      new URL(pebble.directory).host.replace(":", "_"),
      "admin@example.net",
      "account.json",
    );
    expect(JSON.parse(readFileSync(legoAccount, "utf8")).registration.uri).toBe(accountUri);
    expect(readFileSync(join(certsDir(), "mailstack-renewer.status"), "utf8")).toMatch(
      /result=ok\ndetail=published a new certificate\npublished=\d{4}-/,
    );
    // docker-mailserver (SSL_TYPE=letsencrypt, SSL_DOMAIN) finds the folder and the key, and watches both files.
    firstChecksums = await dmsView();
    expect(firstChecksums).toContain(`domain=${HOST} key=privkey`);
    expect(firstChecksums).toMatch(new RegExp(`^[0-9a-f]{128}  /etc/letsencrypt/live/${HOST}/fullchain.pem$`, "m"));
    expect(firstChecksums).toMatch(new RegExp(`^[0-9a-f]{128}  /etc/letsencrypt/live/${HOST}/privkey.pem$`, "m"));
  }, 200_000);

  it("a scheduled check before the renewal window changes nothing", async () => {
    const requests = cloudflare.state.requests.length;
    const r = await renew("check");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/no renewal/);
    expect(live().leaf.serialNumber).toBe(first.serialNumber);
    expect(cloudflare.state.requests.length).toBe(requests);
    expect(await dmsView()).toBe(firstChecksums);
    expect(readFileSync(join(certsDir(), "mailstack-renewer.status"), "utf8")).toContain(
      "detail=certificate up to date",
    );
  }, 200_000);

  it("a forced renewal issues a new certificate and key, and docker-mailserver's change detector sees both change", async () => {
    const r = await renew("force");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { leaf, key } = live();
    expect(leaf.serialNumber).not.toBe(first.serialNumber);
    expect(leaf.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(cloudflare.state.created).toHaveLength(2);
    const after = await dmsView();
    const changed = after.split("\n").filter((l) => l && !firstChecksums.includes(l));
    // SSL_DOMAIN and HOSTNAME name the same folder, so docker-mailserver lists each file twice.
    expect([...new Set(changed.map((l) => l.replace(/^\S+\s+/, "")))].sort()).toEqual([
      `/etc/letsencrypt/live/${HOST}/fullchain.pem`,
      `/etc/letsencrypt/live/${HOST}/privkey.pem`,
    ]);
    expect(existsSync(join(certsDir(), "archive", HOST, "fullchain1.pem"))).toBe(true);
  }, 200_000);

  it("renews by itself once inside the renewal window (renewDays 60 on a 45-day certificate)", async () => {
    const before = live().leaf.serialNumber;
    const acmeConfig = parseConfig(rawConfig(config(pebble.directory), ["cloudflare:apiToken"])).tls.acme!;
    const script = withExecProvider(renderRenewerScript({ hostname: HOST, acme: { ...acmeConfig, renewDays: 60 } }));
    const r = await renew(
      "check",
      uploads.map((u) => (u.file === RENEWER.script ? { ...u, content: script } : u)),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(live().leaf.serialNumber).not.toBe(before);
    expect(readlinkSync(join(live().dir, "fullchain.pem"))).toBe(`../../archive/${HOST}/fullchain3.pem`);
    expect(readFileSync(join(certsDir(), "mailstack-renewer.status"), "utf8")).toContain("result=ok");
  }, 200_000);

  it("a token without DNS rights in the zone fails the check, says so, and leaves the served certificate alone", async () => {
    const before = live().leaf.serialNumber;
    const wrong = uploads.map((u) => (u.file === RENEWER.tokenFile ? { ...u, content: "not-the-minted-token\n" } : u));
    const r = await runInContainerRoot({ uploads: wrong, mounts, envs }, `/bin/sh ${RENEWER.script} force`, {
      timeoutMs: 180_000,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAILED: lego exited with status 1");
    expect(live().leaf.serialNumber).toBe(before);
    expect(readFileSync(join(certsDir(), STATUS_FILE.replace(`${CERTS_MOUNT}/`, "")), "utf8")).toContain(
      "result=failed",
    );
  }, 200_000);
});
