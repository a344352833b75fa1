import { parseArgs } from "node:util";
import { UsageError } from "../doctor/options";

export interface AddressesOptions {
  plannedFile?: string;
  stack?: string;
  /** Log files or directories; empty = read the container's log. */
  logs: string[];
  /** Only lines from this time on (milliseconds since the epoch). */
  since?: number;
  /** Address (or local part) to add to the stack's `blocked` list. */
  block?: string;
  json: boolean;
  /** undefined = decide from the terminal and NO_COLOR. */
  color?: boolean;
  help: boolean;
}

export const USAGE = `Usage: mailstack addresses [options]

Reads the mail server's log and reports, for every address at your domain that received mail: how it was
delivered (account, alias, +tag, catch-all, blocked), message counts, first and last seen, and the sender
domains. A per-site address (one only the catch-all or a +tag receives, e.g. bilibili@) that gets mail from
senders unrelated to the site it was given to is flagged as a likely leak, with the command that blocks it.

Input, the planned deployment (one of):
  --planned <file.json>    planned deployment JSON (pulumi stack output --json)
  --stack <name>           run \`pulumi stack output --json --stack <name>\`
  (stdin)                  the same JSON piped in

The log (default: /var/log/mail/ of the running container, over the stack's Docker connection):
  --log <file|dir>         read this mail.log (plain or gzip), or a directory with mail.log and its rotations
                           (mail.log.1, mail.log.2.gz, …); repeatable
  --since <YYYY-MM-DD>     only count mail from that day (UTC) on

Blocking:
  --block <address>        add the address to the stack's blocked list with the Pulumi CLI
                           (pulumi config set --path 'blocked[N]' …), then run pulumi up

Options:
  --json                   machine-readable output
  --no-color               never colour the output (NO_COLOR is respected too)
  -h, --help               this text

Run it from the project directory when it calls the Pulumi CLI (--stack, --block).

Exit status: 0 when no likely leak is found, 1 when an address that is not blocked yet likely leaked,
2 on a usage, input or log error. With --block: 0 once blocked and deployed, 1 if pulumi up failed, 2 on an
input error.`;

export function parseOptions(argv: string[]): AddressesOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        planned: { type: "string" },
        stack: { type: "string" },
        log: { type: "string", multiple: true },
        since: { type: "string" },
        block: { type: "string" },
        json: { type: "boolean" },
        color: { type: "boolean" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.planned && v.stack) throw new UsageError("give either --planned or --stack, not both");
  let since: number | undefined;
  if (v.since !== undefined) {
    since = /^\d{4}-\d\d-\d\d$/.test(v.since) ? Date.parse(`${v.since}T00:00:00Z`) : NaN;
    if (Number.isNaN(since)) throw new UsageError(`--since expects a date like 2025-03-01, got "${v.since}"`);
  }
  if (v.block !== undefined && (v.log || v.since || v.json))
    throw new UsageError("--block changes the stack config; it reads no log: leave out --log, --since and --json");
  return {
    plannedFile: v.planned,
    stack: v.stack,
    logs: v.log ?? [],
    since,
    block: v.block,
    json: v.json ?? false,
    color: v["no-color"] ? false : v.color,
    help: v.help ?? false,
  };
}
