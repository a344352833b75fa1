import { parseArgs } from "node:util";
import { normalizeName } from "../lib/dns-format";

/** Everything the doctor needs besides the planned deployment, parsed from the command line. */
export interface DoctorOptions {
  plannedFile?: string;
  stack?: string;
  /** `host:port` of the DNS resolver to ask; undefined = the system resolver. */
  resolver?: string;
  /** Per network step, in milliseconds. */
  timeoutMs: number;
  /** Address to connect to instead of the planned server IP (e.g. a tunnel). */
  connect?: string;
  /** Address to connect to instead of the relay host (TLS still verifies the relay host name). */
  relayConnect?: string;
  /** Service port → port actually dialled, e.g. 25 → 2525. */
  portOverrides: Map<number, number>;
  /** PEM file of CA certificates to trust instead of the system CAs. */
  caFile?: string;
  /** DNS blocklist zone, or undefined when disabled with `--dnsbl none`. */
  dnsbl?: string;
  json: boolean;
  /** undefined = decide from the terminal and NO_COLOR. */
  color?: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: mailstack doctor [options]

Checks the live deployment (DNS, MTA-STS, client autoconfiguration, reverse DNS, ports, TLS, open
relay, credentials, blocklist, backup age, spam filter) against the planned deployment (the stack outputs).

Input (one of):
  --planned <file.json>    planned deployment JSON (pulumi stack output --json)
  --stack <name>           run \`pulumi stack output --json --stack <name>\`
  (stdin)                  the same JSON piped in

Options:
  --resolver <ip[:port]>   DNS resolver to query (default: the system resolver)
  --timeout <ms>           timeout of every network step (default 5000)
  --connect <ip>           connect to this address instead of the planned server IP
  --relay-connect <ip>     connect to this address instead of the relay host
  --port <svc>=<port>      dial another port for a service port, e.g. --port 25=2525 (repeatable, or 25=2525,587=2587);
                           443 is the HTTPS port of the MTA-STS and autoconfig hosts
  --ca <file.pem>          trust these CA certificates instead of the system CAs
  --dnsbl <zone|none>      DNS blocklist zone (default zen.spamhaus.org)
  --json                   machine-readable output
  --no-color               never colour the output (NO_COLOR is respected too)
  -h, --help               this text

Credentials come from the environment only:
  MAILSTACK_DOCTOR_USER, MAILSTACK_DOCTOR_PASSWORD   a mailbox: AUTH on 587 and LOGIN on 993
  MAILSTACK_RELAY_PASSWORD                           the relay password (username from the plan)
  RESEND_API_KEY (+ RESEND_BASE_URL)                 Resend: the domain is verified
  MAILSTACK_BACKUP_KEY (or --stack)                  the backup key: the last snapshot's age (needs restic)

Exit status: 0 when nothing failed (warnings allowed), 1 when a check failed, 2 on a usage or input error.`;

export function parseOptions(argv: string[]): DoctorOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        planned: { type: "string" },
        stack: { type: "string" },
        resolver: { type: "string" },
        timeout: { type: "string" },
        connect: { type: "string" },
        "relay-connect": { type: "string" },
        port: { type: "string", multiple: true },
        ca: { type: "string" },
        dnsbl: { type: "string" },
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
  const timeoutMs = v.timeout === undefined ? 5000 : Number(v.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout must be a positive number of milliseconds, got "${v.timeout}"`);
  if (v.planned && v.stack) throw new UsageError("give either --planned or --stack, not both");
  const dnsbl =
    v.dnsbl === undefined
      ? "zen.spamhaus.org"
      : v.dnsbl.toLowerCase() === "none" || v.dnsbl === ""
        ? undefined
        : normalizeName(v.dnsbl);
  return {
    plannedFile: v.planned,
    stack: v.stack,
    resolver: v.resolver,
    timeoutMs,
    connect: v.connect,
    relayConnect: v["relay-connect"],
    portOverrides: parsePortOverrides(v.port ?? []),
    caFile: v.ca,
    dnsbl,
    json: v.json ?? false,
    color: v["no-color"] ? false : v.color,
    help: v.help ?? false,
  };
}

/** `["25=2525", "587=2587,993=2993"]` → {25→2525, 587→2587, 993→2993}. */
export function parsePortOverrides(values: string[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const item of values.flatMap((value) => value.split(","))) {
    const match = /^\s*(\d+)\s*=\s*(\d+)\s*$/.exec(item);
    const from = match ? Number(match[1]) : NaN;
    const to = match ? Number(match[2]) : NaN;
    if (!match || !validPort(from) || !validPort(to))
      throw new UsageError(`--port expects <service port>=<port>, got "${item}"`);
    map.set(from, to);
  }
  return map;
}

const validPort = (port: number) => Number.isInteger(port) && port > 0 && port < 65536;
