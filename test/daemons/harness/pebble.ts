/**
 * Let's Encrypt's test CA on loopback: pebble-challtestsrv (the DNS the CA validates against, with a management
 * API to set TXT records) and Pebble (the ACME server, Debian 12's 2.4), both from the `pebble` package.
 * `PEBBLE_VA_NOSLEEP` skips the validation delay; nonces are never rejected at random and authorizations never
 * reused, so every issuance solves a fresh DNS-01 challenge.
 */
import { ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { join } from "node:path";
import { onCleanup } from "./cleanup";
import { freePorts, waitForPorts } from "./ports";
import { makeServerCert, TestCa } from "../../support/certificates";

export interface Pebble {
  /** The ACME directory URL. */
  directory: string;
  /** pebble-challtestsrv's management URL and DNS port. */
  challtestsrv: string;
  dnsPort: number;
  /** The root that signs what Pebble issues (a new one per run). */
  root(): Promise<string>;
  stop(): void;
}

export async function startPebble(ca: TestCa, opts: { validitySeconds: number }): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), "mailstack-pebble-"));
  const [acmePort, mgmtPort, dnsPort, challMgmtPort] = await freePorts(4);
  const tls = makeServerCert(ca, ["localhost"], undefined, ["127.0.0.1"]);
  writeFileSync(join(dir, "cert.pem"), tls.cert);
  writeFileSync(join(dir, "key.pem"), tls.key);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: join(dir, "cert.pem"),
        privateKey: join(dir, "key.pem"),
        httpPort: 0,
        tlsPort: 0,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
        certificateValidityPeriod: opts.validitySeconds,
      },
    }),
  );
  const logs: string[] = [];
  const start = (bin: string, args: string[], env: Record<string, string> = {}): ChildProcess => {
    const child = spawn(bin, args, { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => logs.push(String(d)));
    child.stderr!.on("data", (d) => logs.push(String(d)));
    return child;
  };
  const chall = start("pebble-challtestsrv", [
    "-dns01",
    `127.0.0.1:${dnsPort}`,
    "-management",
    `127.0.0.1:${challMgmtPort}`,
    "-http01",
    "",
    "-https01",
    "",
    "-tlsalpn01",
    "",
  ]);
  const pebble = start("pebble", ["-config", join(dir, "config.json"), "-dnsserver", `127.0.0.1:${dnsPort}`], {
    PEBBLE_VA_NOSLEEP: "1",
    PEBBLE_WFE_NONCEREJECT: "0",
    PEBBLE_AUTHZREUSE: "0",
  });
  const stop = onCleanup(() => {
    for (const child of [pebble, chall]) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await waitForPorts([acmePort, mgmtPort, challMgmtPort], 15_000, () => logs.join("").slice(-2000));
  } catch (error) {
    stop();
    throw error;
  }
  const agent = new Agent({ ca: ca.cert });
  return {
    directory: `https://127.0.0.1:${acmePort}/dir`,
    challtestsrv: `http://127.0.0.1:${challMgmtPort}`,
    dnsPort,
    root: () => httpsGet(`https://127.0.0.1:${mgmtPort}/roots/0`, agent),
    stop,
  };
}

function httpsGet(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    import("node:https").then(({ get }) =>
      get(url, { agent }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
      }).on("error", reject),
    );
  });
}
