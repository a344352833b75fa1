/**
 * Runs the real index.ts under Pulumi mocks, in its own process (Pulumi's runtime is process-global and a
 * program module runs once per process). Input and result travel as JSON files named by the parent.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { mailstackMocks, Registered, unwrapSecrets } from "./mocks";
import { toPulumiConfig } from "./pulumi-config";

interface ChildInput {
  config: Record<string, unknown>;
  secretKeys: string[];
  stateDir: string;
  resendRecords?: unknown[];
  preview?: boolean;
}

async function main() {
  const [inputFile, outputFile] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(inputFile, "utf8")) as ChildInput;
  const { values, secretKeys } = toPulumiConfig(input.config, input.secretKeys);
  pulumi.runtime.setAllConfig(values, secretKeys);
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(mailstackMocks({ stateDir: input.stateDir, resendRecords: input.resendRecords }, registered), "mailstack", "test", input.preview ?? false);

  const program: Record<string, unknown> = await import("../../index");
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [name, value] of Object.entries(program)) {
    if (!pulumi.Output.isInstance(value)) continue;
    if (await pulumi.isSecret(value)) secretOutputs.push(name);
    outputs[name] = unwrapSecrets(await new Promise((resolve) => value.apply(resolve)));
  }
  // Resources registered inside applies (Resend's records) land a little later: wait until the set is stable.
  for (let seen = -1; seen !== registered.length; ) {
    seen = registered.length;
    await new Promise((r) => setTimeout(r, 100));
  }
  fs.writeFileSync(outputFile, JSON.stringify({ resources: registered, outputs, secretOutputs }));
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
