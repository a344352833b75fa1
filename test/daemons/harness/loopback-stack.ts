import { rmSync } from "node:fs";
import { DnsRecordSpec } from "../../../lib/dns-record";
import { newStateDir, ProgramRun, runProgram } from "../../support/run-program";
import { serverPlanOf } from "../../support/server-plan";
import { CaptureRelay } from "./capture-relay";
import { filesFromPlan, MailServerFiles } from "./from-plan";
import { loopbackConfig, SCENARIO } from "./loopback-config";
import { allocateMailPorts, MailPorts, MailSystem } from "./mail-system";
import { freePorts } from "./ports";
import { FakeDnsServer, startDnsServer, ZoneRecord } from "../../support/dns-server";
import { plannedZone } from "./planned-dns";

export { SCENARIO } from "./loopback-config";

export interface ProgramFiles {
  /** The whole run: every registered resource and the outputs. */
  run: ProgramRun;
  files: MailServerFiles;
  passwords: Record<string, string>;
  dnsRecords: DnsRecordSpec[];
  /** Every stack output, secrets unwrapped (what `pulumi stack output --json --show-secrets` prints). */
  outputs: Record<string, unknown>;
}

/**
 * Runs the real program (index.ts under Pulumi mocks, via test/support/run-program.ts) and turns its server
 * plan (test/support/server-plan.ts) into the harness's files. `passwords` are keyed by local part, as in
 * stack config.
 */
export async function programFiles(
  passwords: Record<string, string>,
  stateDir: string,
  overrides: Record<string, unknown> = {},
): Promise<ProgramFiles> {
  const config = { ...loopbackConfig(passwords), ...overrides };
  const run = await runProgram(config, { stateDir });
  return {
    run,
    files: filesFromPlan(serverPlanOf(run, config)),
    passwords: run.outputs.passwords,
    dnsRecords: run.outputs.dnsRecords,
    outputs: run.outputs,
  };
}

/**
 * The one change the harness makes to the program's files: every relay next hop (`[smtp.resend.com]:587`, and
 * any other a relay map names) is pointed at a loopback capture relay (no internet here), in the relayhost, the
 * relay map and the credential lines keyed by it. User, password and TLS policy stay as generated.
 * `relayPorts`: one capture relay for every hop, or the port for each hop.
 */
export function relayToCapture(files: MailServerFiles, relayPorts: number | Record<string, number>): MailServerFiles {
  if (typeof relayPorts === "number" && files.relay?.relayhost !== SCENARIO.relay.host) {
    throw new Error(
      `expected DEFAULT_RELAY_HOST=${SCENARIO.relay.host}, the program set ${files.relay?.relayhost ?? "none"}`,
    );
  }
  if (!files.relay) return files;
  const capture = (hop: string) => {
    const port = typeof relayPorts === "number" ? relayPorts : relayPorts[hop];
    if (port === undefined) throw new Error(`no capture relay for the relay ${hop}`);
    return `[127.0.0.1]:${port}`;
  };
  const isHop = (s: string) => /^\[[^\]]+\]:\d+$/.test(s);
  // Lines `key value`: the key (sasl_passwd) or the value (relayhost_map) may be a next hop.
  const rewrite = (table: string | undefined) =>
    table
      ?.split("\n")
      .map((line) =>
        line
          .split(/(\s+)/)
          .map((part) => (isHop(part) ? capture(part) : part))
          .join(""),
      )
      .join("\n");
  return {
    ...files,
    relay: {
      ...files.relay,
      relayhost: files.relay.relayhost && capture(files.relay.relayhost),
      saslPasswd: rewrite(files.relay.saslPasswd),
      relayhostMap: rewrite(files.relay.relayhostMap),
    },
  };
}

/**
 * The test's DNS server, on port 53 (glibc's resolver asks no other) of a random address in 127.153.0.0/16 that
 * no other test process holds (the ACME test's stand-in takes one in 127.53.0.0/16). It serves the planned records
 * plus `extra` (senders, blocklist entries) and answers NXDOMAIN for every other name, so nothing the daemons
 * look up leaves the machine.
 */
export async function startLoopbackDns(planned: DnsRecordSpec[], extra: ZoneRecord[] = []): Promise<FakeDnsServer> {
  for (let attempt = 0; ; attempt++) {
    const host = `127.153.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
    try {
      return await startDnsServer([...plannedZone(planned), ...extra], { host, port: 53 });
    } catch (error) {
      if (attempt >= 20 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
}

/** Whether the container asks for what needs DNS: the filter (Rspamd) or postscreen's blocklists. */
export function needsDns(files: MailServerFiles): boolean {
  return files.env.ENABLE_RSPAMD === "1" || files.env.ENABLE_DNSBL === "1";
}

export interface LoopbackStack {
  /** The program run the daemons were fed from. */
  run: ProgramRun;
  system: MailSystem;
  /** The capture relay (the first one, with `options.relays`). */
  relay: CaptureRelay;
  /** With `options.relays`: the capture relay standing in for each next hop. */
  relays: Record<string, CaptureRelay>;
  /** The test's DNS server, when the container needs DNS (needsDns). */
  dns?: FakeDnsServer;
  files: MailServerFiles;
  ports: MailPorts;
  /** Account address → password, from the program's `passwords` output. */
  passwords: Record<string, string>;
  dnsRecords: DnsRecordSpec[];
  outputs: Record<string, unknown>;
  stateDir: string;
  stop(): Promise<void>;
}

/**
 * Program → files → capture relay (and DNS server) → daemons. `stop()` stops all of it. `overrides` replace
 * config keys; `zone` adds records to the DNS server's planned ones; `relays` gives a capture relay of its own to
 * each next hop (`[host]:port`) with the credentials it accepts (default: one for SCENARIO's relay).
 */
export async function startLoopbackStack(
  passwords: Record<string, string>,
  overrides: Record<string, unknown> = {},
  options: { zone?: ZoneRecord[]; relays?: Record<string, { username: string; password: string }[]> } = {},
): Promise<LoopbackStack> {
  const stateDir = newStateDir();
  const program = await programFiles(passwords, stateDir, overrides);
  const ports = await allocateMailPorts();
  const hops = Object.entries(options.relays ?? {});
  const extraPorts = hops.length > 1 ? await freePorts(hops.length - 1) : [];
  const relays: Record<string, CaptureRelay> = {};
  for (const [i, [hop, credentials]] of hops.entries()) {
    relays[hop] = new CaptureRelay(credentials);
    await relays[hop].start(i === 0 ? ports.relay : extraPorts[i - 1]);
  }
  const relay = hops.length ? relays[hops[0][0]] : new CaptureRelay(SCENARIO.relay);
  if (!hops.length) await relay.start(ports.relay);
  const stopRelays = async () => {
    for (const r of new Set([relay, ...Object.values(relays)])) await r.stop();
  };
  let dns: FakeDnsServer | undefined;
  try {
    const files = relayToCapture(
      program.files,
      hops.length ? Object.fromEntries(Object.entries(relays).map(([hop, r]) => [hop, r.port])) : ports.relay,
    );
    if (needsDns(files) || options.zone) dns = await startLoopbackDns(program.dnsRecords, options.zone);
    const system = await MailSystem.start(files, ports, { dns });
    return {
      run: program.run,
      system,
      relay,
      relays,
      dns,
      files,
      ports,
      passwords: program.passwords,
      dnsRecords: program.dnsRecords,
      outputs: program.outputs,
      stateDir,
      stop: async () => {
        await system.stop();
        await stopRelays();
        await dns?.close();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await stopRelays();
    await dns?.close();
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
}
