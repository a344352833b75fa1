/**
 * Evaluates many stack configs in one process under Pulumi mocks, the way index.ts does for one: the config goes
 * through the real `readStackConfig` (the language host's variables, then lib/config.ts), and an accepted one
 * builds the real `MailStack`. Each stack gets its own resource names (`s<i>`), so one process holds them all.
 * Used by tests that need the container the program would register for hundreds of configs (the round-trip
 * property test); a refused config registers nothing.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { mailstackMocks, MockOptions, Registered } from "../../preview/mocks";
import { toPulumiConfig } from "../../preview/pulumi-config";

export interface StacksInput {
  stateDir: string;
  fixedKeyMaterial?: MockOptions["fixedKeyMaterial"];
  stacks: { config: Record<string, unknown>; secretKeys: string[] }[];
}

export interface StackOutcome {
  /** The messages when the config was refused. */
  refused?: string;
  /** Resources registered while reading the config (must be none). */
  registeredWhileReading: number;
  config?: unknown;
  /** Set when an accepted config failed to build its stack (a bug). */
  crashed?: string;
  container?: Record<string, unknown>;
  /** The live files (components/mailserver.ts): each Command's file path and the content it writes (its stdin). */
  liveFiles?: Record<string, string>;
  passwords?: Record<string, string>;
}

const [inputFile, outputFile] = process.argv.slice(2);

async function main() {
  const input = JSON.parse(fs.readFileSync(inputFile, "utf8")) as StacksInput;
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    mailstackMocks({ stateDir: input.stateDir, fixedKeyMaterial: input.fixedKeyMaterial }, registered),
    "mailstack",
    "test",
    false,
  );
  const { readStackConfig } = await import("../../lib/stack-config");
  const { MailStack } = await import("../../components/stack");

  const outcomes: StackOutcome[] = [];
  const passwords: (pulumi.Output<Record<string, string>> | undefined)[] = [];
  for (const [i, stack] of input.stacks.entries()) {
    const { values, secretKeys } = toPulumiConfig(stack.config, stack.secretKeys);
    pulumi.runtime.setAllConfig(values, secretKeys);
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
    const before = registered.length;
    let config;
    try {
      config = readStackConfig();
    } catch (e) {
      outcomes.push({ refused: (e as Error).message, registeredWhileReading: registered.length - before });
      passwords.push(undefined);
      continue;
    }
    const outcome: StackOutcome = { registeredWhileReading: registered.length - before, config };
    outcomes.push(outcome);
    try {
      passwords.push(new MailStack(`s${i}`, config).passwords);
    } catch (e) {
      // An accepted config must build: this is a bug, reported to the test.
      outcome.crashed = (e as Error).stack ?? (e as Error).message;
      passwords.push(undefined);
    }
  }
  for (const [i, p] of passwords.entries())
    if (p) outcomes[i].passwords = await new Promise<Record<string, string>>((resolve) => p.apply(resolve));
  // Registrations land asynchronously: wait until the set is stable.
  for (let seen = -1; seen !== registered.length;) {
    seen = registered.length;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const r of registered) {
    const m = /^s(\d+)-server-container$/.exec(r.name);
    if (m && r.type === "docker:index/container:Container") outcomes[Number(m[1])].container = r.inputs;
    const live = /^s(\d+)-server-/.exec(r.name);
    if (live && r.type === "command:local:Command") {
      const outcome = outcomes[Number(live[1])];
      const inputs = r.inputs as { environment: { MAILSTACK_FILE: string }; stdin?: string };
      outcome.liveFiles = { ...outcome.liveFiles, [inputs.environment.MAILSTACK_FILE]: inputs.stdin ?? "" };
    }
  }
  fs.writeFileSync(outputFile, JSON.stringify(outcomes));
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
