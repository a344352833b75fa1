import { rmSync } from "node:fs";
import { DnsRecordSpec } from "../../../lib/dns-record";
import { newStateDir, ProgramRun, runProgram } from "../../support/run-program";
import { serverPlanOf } from "../../support/server-plan";
import { CaptureRelay } from "./capture-relay";
import { filesFromPlan, MailServerFiles } from "./from-plan";
import { loopbackConfig, SCENARIO } from "./loopback-config";
import { allocateMailPorts, MailPorts, MailSystem } from "./mail-system";
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
 * The one change the harness makes to the program's files: the relay host `[smtp.resend.com]:587` is pointed
 * at the loopback capture relay (no internet here), in the relayhost and in the credential line keyed by it.
 * User, password and TLS policy stay as generated.
 */
export function relayToCapture(files: MailServerFiles, relayPort: number): MailServerFiles {
  if (files.relay?.relayhost !== SCENARIO.relay.host) {
    throw new Error(
      `expected DEFAULT_RELAY_HOST=${SCENARIO.relay.host}, the program set ${files.relay?.relayhost ?? "none"}`,
    );
  }
  const capture = `[127.0.0.1]:${relayPort}`;
  const saslPasswd = files.relay.saslPasswd
    ?.split("\n")
    .map((line) => (line.split(/\s+/)[0] === SCENARIO.relay.host ? line.replace(SCENARIO.relay.host, capture) : line))
    .join("\n");
  return { ...files, relay: { ...files.relay, relayhost: capture, saslPasswd } };
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
  relay: CaptureRelay;
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
 * config keys; `zone` adds records to the DNS server's planned ones.
 */
export async function startLoopbackStack(
  passwords: Record<string, string>,
  overrides: Record<string, unknown> = {},
  options: { zone?: ZoneRecord[] } = {},
): Promise<LoopbackStack> {
  const stateDir = newStateDir();
  const program = await programFiles(passwords, stateDir, overrides);
  const ports = await allocateMailPorts();
  const relay = new CaptureRelay(SCENARIO.relay);
  await relay.start(ports.relay);
  let dns: FakeDnsServer | undefined;
  try {
    const files = relayToCapture(program.files, ports.relay);
    if (needsDns(files) || options.zone) dns = await startLoopbackDns(program.dnsRecords, options.zone);
    const system = await MailSystem.start(files, ports, { dns });
    return {
      run: program.run,
      system,
      relay,
      dns,
      files,
      ports,
      passwords: program.passwords,
      dnsRecords: program.dnsRecords,
      outputs: program.outputs,
      stateDir,
      stop: async () => {
        await system.stop();
        await relay.stop();
        await dns?.close();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await relay.stop();
    await dns?.close();
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
}
