/**
 * Fix lines in mailstack's terms: what to run (`pulumi config set …`, `pulumi up`), and records as the exact
 * zone-file text the `zoneFile` output holds — never advice for a hand-run docker-mailserver.
 */
import { DnsRecordSpec } from "../../lib/dns-record";
import { zoneLine } from "../../lib/dns-format";

/** Where a fix line's pasteable block starts: the report prints these lines as they are, never wrapped. */
export const PASTE = "\n    ";

/**
 * A record as pasteable zone-file text. A TXT line that would not fit the report (printed 6 columns in,
 * at most 100 wide; a DKIM key) is written in BIND's
 * multi-line form — `( "…" "…" )`, strings of 64 characters, which DKIM verifiers join back into one value.
 */
export function zoneText(record: DnsRecordSpec): string[] {
  const line = zoneLine(record);
  if (record.type !== "TXT" || line.length <= 92) return [line];
  const value = record.content
    .match(/"((?:[^"\\]|\\.)*)"/g)!
    .map((s) => s.slice(1, -1))
    .join("");
  const head = zoneLine({ ...record, content: "(" });
  const chunks = value.match(/.{1,64}/g) ?? [];
  return [head, ...chunks.map((c) => `    "${c}"`), ")"];
}

/** The mailstack way to get planned records published. */
export function publishFix(records: DnsRecordSpec[], what = records.length > 1 ? "these records" : "it"): string {
  return (
    `mailstack publishes ${what} on \`pulumi up\` (run \`pulumi refresh\` first if a record was deleted by ` +
    `hand); with dns: none, copy ${what} from \`pulumi stack output zoneFile\`:` +
    records
      .flatMap(zoneText)
      .map((l) => PASTE + l)
      .join("")
  );
}

/** A setting to change, then `pulumi up`. */
export function configFix(command: string, why = ""): string {
  return `Run \`pulumi config set ${command}\`, then \`pulumi up\`${why ? ` ${why}` : ""}.`;
}

/** For what docker-mailserver as mailstack configures it never does: the server is not the planned one. */
export const NOT_AS_PLANNED =
  "the server answering is not the container as planned. Run `pulumi up` (it restores the planned image, " +
  "environment and files), and check that `docker.image` and `env` in the stack config do not change this";
