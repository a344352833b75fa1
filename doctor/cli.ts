import { readFile } from "node:fs/promises";
import { DoctorContext } from "./context";
import { createDnsClient } from "./net/dns-client";
import { parseOptions, USAGE, UsageError } from "./options";
import { InputError, loadPlanned } from "./planned-input";
import { exitCode, renderJson, renderTable, shouldColour } from "./report";
import { runChecks } from "./run";
import { plannedDomainNames } from "./domains";

/** Where the CLI reads and writes; tests pass their own, the launcher uses the process's. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  now?: Date;
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

/**
 * `mailstack doctor [options]`: checks the live deployment against the plan.
 * Returns the exit status: 0 ok (warnings allowed), 1 a check failed, 2 usage or input error.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const args = argv[0] === "doctor" ? argv.slice(1) : argv;
  if (args[0] !== undefined && !args[0].startsWith("-")) {
    io.stderr.write(`mailstack: unknown command "${args[0]}" (commands: doctor, addresses)\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const options = parseOptions(args);
    if (options.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const planned = await loadPlanned({
      plannedFile: options.plannedFile,
      stack: options.stack,
      stdin: io.stdin,
      env: io.env,
    });
    let ca: Buffer | undefined;
    if (options.caFile) {
      try {
        ca = await readFile(options.caFile);
      } catch (error) {
        throw new InputError(`cannot read --ca ${options.caFile}: ${(error as Error).message}`);
      }
    }
    const context: DoctorContext = {
      planned,
      options,
      dns: createDnsClient(options.resolver, options.timeoutMs),
      env: io.env,
      ca,
      now: io.now ?? new Date(),
    };
    const results = await runChecks(context);
    if (options.json) {
      io.stdout.write(
        renderJson(results, {
          domain: planned.domain,
          hostname: planned.hostname,
          serverIp: planned.serverIp ?? null,
          resolver: context.dns.description,
        }),
      );
    } else {
      const colour = shouldColour(Boolean(io.stdout.isTTY), io.env, options.color);
      io.stdout.write(
        renderTable(results, {
          colour,
          title: `mailstack doctor: ${plannedDomainNames(planned).join(", ")} (${planned.hostname}${planned.serverIp ? `, ${planned.serverIp}` : ""}) via ${context.dns.description}`,
        }),
      );
    }
    return exitCode(results);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mailstack doctor: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`mailstack doctor: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(
        `mailstack doctor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
