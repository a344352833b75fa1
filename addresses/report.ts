import { AddressReport, day, DomainReport } from "./analysis";
import { blockCommand, upCommand } from "./block";

export interface BlockingPlan {
  /** One command per likely leak that is not blocked yet, then `pulumi up`; empty when there is none. */
  commands: string[];
  /** Where N of blocked[N] came from: the stack config (exact) or the deployed outputs (may be stale). */
  indexFrom: "stack config" | "stack outputs";
}

export interface AddressesReport {
  domains: DomainReport[];
  log: {
    files: string[];
    lines: number;
    postfixEvents: number;
    first?: string;
    last?: string;
    since?: string;
  };
  blocking: BlockingPlan;
}

/** Likely leaks that are not refused yet, in report order. */
export const openLeaks = (domains: DomainReport[]): AddressReport[] =>
  domains.flatMap((d) => d.addresses.filter((a) => a.leak?.status === "likely" && a.kind !== "blocked"));

/** blocked[N], blocked[N+1], … for every open leak, then `pulumi up`. */
export function blockingPlan(
  domains: DomainReport[],
  o: {
    /** The config list each address is blocked in (`blocked`, or `domains[i].blocked`) and its current length. */
    listOf: (address: string) => string;
    blockedCount: (list: string) => number;
    fromConfig: boolean;
    stack?: string;
  },
): BlockingPlan {
  const leaks = openLeaks(domains);
  const next = new Map<string, number>();
  const command = (address: string) => {
    const list = o.listOf(address);
    const index = next.get(list) ?? o.blockedCount(list);
    next.set(list, index + 1);
    return blockCommand(address, index, o.stack, list);
  };
  return {
    commands: leaks.length ? [...leaks.map((a) => command(a.address)), upCommand(o.stack)] : [],
    indexFrom: o.fromConfig ? "stack config" : "stack outputs",
  };
}

/** 1 when an address that is not blocked yet likely leaked: scripts can alert on it. */
export const exitCode = (report: AddressesReport) => (openLeaks(report.domains).length ? 1 : 0);

const RED = "\x1b[31m";
const YELLOW = "\x1b[33m";
const GREY = "\x1b[90m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** `catch-all → hi`, `alias → alice, bob`, `tag → hi`: where the mail went, local parts at the same domain. */
function kindText(a: AddressReport): string {
  const domain = a.address.slice(a.address.lastIndexOf("@"));
  const targets = a.deliveredTo
    .filter((t) => t !== a.address)
    .map((t) => (t.endsWith(domain) ? t.slice(0, -domain.length) : t));
  return targets.length && a.kind !== "account" ? `${a.kind} → ${targets.join(", ")}` : a.kind;
}

function sendersText(a: AddressReport, max = 3): string {
  const shown = a.senders.slice(0, max).map((s) => `${s.display} ${s.messages + s.refused}`);
  if (a.senders.length > max) shown.push(`+${a.senders.length - max} more`);
  return shown.join(", ");
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
}

/** The human report: one table per domain, then the leaks with their evidence and the commands to block them. */
export function renderTable(report: AddressesReport, o: { colour: boolean; title: string }): string {
  const paint = (code: string, text: string) => (o.colour ? `${code}${text}${RESET}` : text);
  const { log } = report;
  const lines = [
    o.title,
    `${log.files.length} log file${log.files.length === 1 ? "" : "s"}, ${log.lines} lines, ${day(log.first)} → ${day(log.last)}${log.since ? ` (counting from ${day(log.since)})` : ""}`,
    "",
  ];
  const header = ["ADDRESS", "KIND", "DELIVERED", "REFUSED", "FIRST", "LAST", "SENDERS"];
  for (const d of report.domains) {
    lines.push(paint(BOLD, d.domain));
    if (d.addresses.length === 0) {
      lines.push("  no mail to this domain in the log", "");
      continue;
    }
    const rows = d.addresses.map((a) => [
      a.address,
      kindText(a),
      String(a.delivered),
      String(a.refused),
      day(a.first),
      day(a.last),
      sendersText(a),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    lines.push(`    ${pad(header, widths).trimEnd()}`);
    d.addresses.forEach((a, i) => {
      const mark =
        a.leak?.status === "likely"
          ? paint(a.kind === "blocked" ? GREY : RED, "✗")
          : a.leak?.status === "unmatched"
            ? paint(YELLOW, "?")
            : " ";
      lines.push(`  ${mark} ${pad(rows[i], widths).trimEnd()}`);
      const other = [
        a.bounced ? `${a.bounced} bounced` : "",
        a.deferred ? `${a.deferred} still queued` : "",
        ...a.refusals.map((r) => `refused ${r.count}× ${r.reason}`),
      ].filter(Boolean);
      if (other.length) lines.push(`      ${paint(GREY, other.join("; "))}`);
    });
    lines.push("");
  }

  const hinted = report.domains.flatMap((d) => d.addresses.filter((a) => a.leak));
  if (hinted.length) {
    lines.push(paint(BOLD, "Leak hints"));
    for (const a of hinted) {
      const leak = a.leak!;
      const mark = leak.status === "unmatched" ? paint(YELLOW, "?") : paint(a.kind === "blocked" ? GREY : RED, "✗");
      const state = a.kind === "blocked" ? " (blocked)" : leak.status === "likely" ? " likely leaked" : "";
      lines.push(`  ${mark} ${a.address}${state}: ${leak.summary}`);
    }
    lines.push("");
  }

  if (report.blocking.commands.length) {
    lines.push(paint(BOLD, "Block the leaked addresses (the server then refuses mail to them):"));
    for (const command of report.blocking.commands) lines.push(`  ${command}`);
    if (report.blocking.indexFrom === "stack outputs")
      lines.push(
        paint(
          GREY,
          "  (N in blocked[N] counts the blocked list of the deployed outputs; if you changed blocked since the last pulumi up, use its length from pulumi config get blocked)",
        ),
      );
    lines.push("");
  }
  const leaks = openLeaks(report.domains).length;
  lines.push(
    leaks
      ? paint(RED, `${leaks} likely leak${leaks === 1 ? "" : "s"} not blocked yet`)
      : "No likely leak among the addresses that are not blocked.",
  );
  return lines.join("\n") + "\n";
}

/** The `--json` report: stable keys for scripts. */
export function renderJson(report: AddressesReport): string {
  return JSON.stringify({ ok: exitCode(report) === 0, ...report }, null, 2) + "\n";
}
