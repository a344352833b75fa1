import type { CliIo } from "../doctor/cli";
import { UsageError } from "../doctor/options";
import { InputError, loadPlanned } from "../doctor/planned-input";
import { shouldColour } from "../doctor/report";
import { PlannedDeployment } from "../lib/planned";
import { AddressBook, requireAddressOutputs } from "./address-book";
import { analyse } from "./analysis";
import { blockAddress, blockTarget, configuredBlocked } from "./block";
import { containerLogFiles, LogError, LogFile, localLogFiles, readLines } from "./log/sources";
import { parseSyslogLine } from "./log/syslog-line";
import { LogTally } from "./log/tally";
import { parseOptions, USAGE } from "./options";
import { AddressesReport, blockingPlan, exitCode, renderJson, renderTable } from "./report";
import { senderDomainOf } from "./senders";

const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

/**
 * `mailstack addresses [options]`: who writes to which address, and which per-site address leaked.
 * Returns the exit status (see USAGE).
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const args = argv[0] === "addresses" ? argv.slice(1) : argv;
  try {
    const options = parseOptions(args);
    if (options.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const planned = requireAddressOutputs(
      await loadPlanned({ plannedFile: options.plannedFile, stack: options.stack, stdin: io.stdin, env: io.env }),
    );
    const book = new AddressBook(planned);
    if (options.block !== undefined)
      return await blockAddress({
        address: blockTarget(options.block, book),
        book,
        stack: options.stack,
        env: io.env,
        say: (text) => io.stdout.write(text),
      });

    const now = (io.now ?? new Date()).getTime();
    const files = options.logs.length ? await localLogFiles(options.logs) : await containerFiles(planned, io.env);
    const tally = new LogTally(book.isLocal, senderDomainOf);
    for (const file of files)
      await readLines(file, (text) => {
        const line = parseSyslogLine(text, now);
        if (line && (options.since === undefined || line.time >= options.since)) tally.add(line);
      });
    tally.finish();

    const domains = analyse(tally.addresses.values(), book, planned.relatedSenders);
    // The index N of blocked[N] (or domains[i].blocked[N]) must count the stack config's list; the outputs are
    // the fallback.
    const listOf = (address: string) => book.blockedListOf(address.slice(address.lastIndexOf("@") + 1));
    const lists = book.listed ? book.listed.map((d) => book.blockedListOf(d)) : ["blocked"];
    const configured = options.stack
      ? await Promise.all(lists.map((list) => configuredBlocked(options.stack, io.env, list))).catch(() => undefined)
      : undefined;
    const fromOutputs = (list: string) =>
      list === "blocked"
        ? planned.blocked.length
        : (planned.domains?.[Number(/\d+/.exec(list)![0])]?.blocked.length ?? 0);
    const report: AddressesReport = {
      domains,
      log: {
        files: files.map((f) => f.name),
        lines: tally.lines,
        postfixEvents: tally.postfixEvents,
        first: tally.first === undefined ? undefined : new Date(tally.first).toISOString(),
        last: tally.last === undefined ? undefined : new Date(tally.last).toISOString(),
        since: options.since === undefined ? undefined : new Date(options.since).toISOString(),
      },
      blocking: blockingPlan(domains, {
        listOf,
        blockedCount: (list) => configured?.[lists.indexOf(list)]?.length ?? fromOutputs(list),
        fromConfig: configured !== undefined,
        stack: options.stack,
      }),
    };
    if (options.json) io.stdout.write(renderJson(report));
    else
      io.stdout.write(
        renderTable(report, {
          colour: shouldColour(Boolean(io.stdout.isTTY), io.env, options.color),
          title: `mailstack addresses: ${book.domains.join(", ")}`,
        }),
      );
    return exitCode(report);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mailstack addresses: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof InputError || error instanceof LogError) {
      io.stderr.write(`mailstack addresses: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** The container's log over the stack's Docker connection (`docker.host`, `docker.containerName`). */
function containerFiles(planned: PlannedDeployment, env: Record<string, string | undefined>): Promise<LogFile[]> {
  if (!planned.docker)
    throw new InputError(
      "the stack outputs do not say where the container runs (docker): run pulumi up once to refresh them, or pass the log with --log",
    );
  return containerLogFiles({ host: planned.docker.host, container: planned.docker.containerName, env });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(
        `mailstack addresses: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
