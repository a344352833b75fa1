import { DnsRecordSpec } from "../../../lib/dns-record";
import { CaptureRelay } from "./capture-relay";
import { filesFromContainer, ContainerInputs, MailServerFiles } from "./from-container";
import { allocateMailPorts, MailPorts, MailSystem } from "./mail-system";
import { standInRun } from "./stand-in-container";

/** The mail setup the daemon tests exercise (addresses at the scenario domain). */
export const SCENARIO = {
  domain: "example.test",
  accounts: { hi: "hi@example.test", alice: "alice@example.test", bob: "bob@example.test" },
  alias: { address: "team@example.test", targets: ["alice@example.test", "bob@example.test"] },
  catchAllTarget: "hi@example.test",
  blocked: "blocked@example.test",
  relay: { username: "resend", password: "re_loopback_relay_secret" },
};

export const CONTAINER_TYPE = "docker:index/container:Container";

export interface ProgramResult {
  container: ContainerInputs;
  outputs: Record<string, any>;
}

/** Runs the program for the loopback scenario and picks out what the harness needs. */
export async function runForLoopback(relayPort: number, passwords: Record<string, string>): Promise<ProgramResult> {
  const run = standInRun(relayPort, passwords);
  const container = run.resources.find((r) => r.type === CONTAINER_TYPE);
  if (!container) throw new Error(`the program registered no ${CONTAINER_TYPE}`);
  return { container: container.inputs as ContainerInputs, outputs: run.outputs };
}

export interface LoopbackStack {
  system: MailSystem;
  relay: CaptureRelay;
  files: MailServerFiles;
  ports: MailPorts;
  passwords: Record<string, string>;
  dnsRecords: DnsRecordSpec[];
  stop(): Promise<void>;
}

/** Capture relay first (its port goes into the program's relay config), then the program, then the daemons. */
export async function startLoopbackStack(passwords: Record<string, string>): Promise<LoopbackStack> {
  const ports = await allocateMailPorts();
  const relay = new CaptureRelay(SCENARIO.relay);
  await relay.start(ports.relay);
  try {
    const program = await runForLoopback(ports.relay, passwords);
    const files = filesFromContainer(program.container);
    const system = await MailSystem.start(files, ports);
    return {
      system,
      relay,
      files,
      ports,
      passwords: program.outputs.passwords,
      dnsRecords: program.outputs.dnsRecords,
      stop: async () => {
        await system.stop();
        await relay.stop();
      },
    };
  } catch (e) {
    await relay.stop();
    throw e;
  }
}
