/**
 * DNS presentation formats, in one place for the program and `mailstack doctor`: names, TXT
 * character-strings, CAA, SRV, zone-file lines and the key that names a record. Whoever writes record content
 * (our plan, Resend's records, Cloudflare's arguments, the zone file) and whoever reads it back (the doctor,
 * the daemon tests) uses these functions, so both sides agree on every byte.
 */
import type { DnsRecordSpec } from "./dns-record";

// --- names ------------------------------------------------------------------------------------------

/**
 * A name as the plan stores and compares it: trimmed, lower case (DNS names compare case-insensitively),
 * without the root's trailing dot (Cloudflare reads names back as `example.com`, never `example.com.`).
 */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * Whether a name is in that normal form and could be published: labels of 1–63 letters, digits, `-` or `_`
 * (`_dmarc`, `resend._domainkey`), at least two of them, 253 characters at most.
 */
export function isDnsName(name: string): boolean {
  const labels = name.split(".");
  return name.length <= 253 && labels.length >= 2 && labels.every((label) => /^[a-z0-9_-]{1,63}$/.test(label));
}

/** The absolute form, with the trailing dot a zone file needs (`example.com.`). */
export function absoluteName(name: string): string {
  return `${normalizeName(name)}.`;
}

// --- TXT --------------------------------------------------------------------------------------------

const escapeString = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`);

/**
 * TXT content in presentation form: quoted character-strings of at most 255 bytes, separated by one space.
 * Cloudflare splits longer unquoted values itself and then reports a diff on every run, so we send the
 * content already split (see shared/reference/pulumi.md, "TXT > 255 chars").
 */
export function quoteTxt(value: string): string {
  const chunks: string[] = [];
  const bytes = Buffer.from(value, "utf8");
  // Split on byte boundaries that do not cut a UTF-8 sequence (continuation bytes are 10xxxxxx).
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + 255, bytes.length);
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
  }
  return (chunks.length ? chunks : [""]).map((c) => `"${escapeString(c)}"`).join(" ");
}

/**
 * The character-strings of a TXT value: quoted presentation form (`"a" "b"`, with `\"`, `\\` and `\DDD`
 * escapes; `\DDD` is a byte, so an escaped UTF-8 sequence decodes to its character), or a bare unquoted
 * value, which is one string.
 */
export function txtStrings(content: string): string[] {
  const text = content.trim();
  if (!text.startsWith('"')) return [text];
  const strings: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === " " || text[i] === "\t") i++;
    if (i >= text.length) break;
    if (text[i] !== '"') throw new Error(`TXT content is not a list of quoted strings: ${content}`);
    i++;
    const bytes: number[] = [];
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") {
        const digits = /^\d{3}/.exec(text.slice(i + 1));
        if (digits) {
          bytes.push(Number(digits[0]) & 0xff);
          i += 4;
          continue;
        }
        i++;
        if (i >= text.length) break;
      }
      const char = String.fromCodePoint(text.codePointAt(i)!);
      bytes.push(...Buffer.from(char, "utf8"));
      i += char.length;
    }
    if (text[i] !== '"') throw new Error(`unterminated quoted string in TXT content: ${content}`);
    i++;
    strings.push(Buffer.from(bytes).toString("utf8"));
  }
  return strings;
}

/** The value a verifier sees: the character-strings joined without separator (the inverse of `quoteTxt`). */
export function unquoteTxt(content: string): string {
  return txtStrings(content).join("");
}

// --- CAA --------------------------------------------------------------------------------------------

/** A CAA record's fields (RFC 8659): what Cloudflare takes as `data` and what resolvers return. */
export interface Caa {
  flags: number;
  /** Lower case: tags match case-insensitively (RFC 8659 §4.1). */
  tag: string;
  value: string;
}

/**
 * Reads CAA presentation form `flags tag "value"`. Also takes what others hand us: flags left out (0, as in
 * Resend's `issue amazon.com`) and a bare unquoted value.
 */
export function parseCaa(content: string): Caa {
  const m = /^(?:(\d{1,3})\s+)?([A-Za-z0-9]+)\s+(\S.*)$/s.exec(content.trim());
  const flags = Number(m?.[1] ?? 0);
  if (!m || flags > 255) throw new Error(`CAA content must be 'flags tag "value"', got ${JSON.stringify(content)}`);
  const raw = m[3].trim();
  let value = raw;
  if (raw.startsWith('"')) {
    const strings = txtStrings(raw);
    if (strings.length !== 1) throw new Error(`CAA value must be one quoted string, got ${JSON.stringify(content)}`);
    value = strings[0];
  }
  return { flags, tag: m[2].toLowerCase(), value };
}

/** CAA presentation form `flags tag "value"`: how the plan writes CAA content and how the doctor compares it. */
export function formatCaa(caa: Caa): string {
  return `${caa.flags} ${caa.tag.toLowerCase()} "${escapeString(caa.value)}"`;
}

// --- SRV --------------------------------------------------------------------------------------------

/**
 * An SRV record's fields (RFC 2782) besides its priority, which lives in `priority` as an MX's does: what
 * Cloudflare takes as `data` (with the priority) and what resolvers return. A target of `.` means "this
 * service is decidedly not offered here" (RFC 2782; RFC 6186 §3.4 uses it for cleartext IMAP and POP3).
 */
export interface Srv {
  weight: number;
  port: number;
  /** A host name in the plan's normal form, or `.`. */
  target: string;
}

const UINT16 = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;

/** Reads SRV content `weight port target` (the target `.` or a host name; a trailing dot is dropped). */
export function parseSrv(content: string): Srv {
  const m = /^(\d{1,5}) (\d{1,5}) (\S+)$/.exec(content.trim());
  const srv = m && { weight: Number(m[1]), port: Number(m[2]), target: m[3] === "." ? "." : normalizeName(m[3]) };
  if (!srv || !UINT16(srv.weight) || !UINT16(srv.port) || (srv.target !== "." && !isDnsName(srv.target)))
    throw new Error(
      `SRV content must be 'weight port target' (0–65535, a host name or "."), got ${JSON.stringify(content)}`,
    );
  return srv;
}

/** SRV content `weight port target`: how the plan writes it and how the doctor compares it (with the priority). */
export function formatSrv(srv: Srv): string {
  return `${srv.weight} ${srv.port} ${srv.target === "." ? "." : normalizeName(srv.target)}`;
}

// --- zone files -------------------------------------------------------------------------------------

/**
 * One record as a zone-file line (`example.com. 3600 IN MX 10 mail.example.com.`): absolute names, MX and SRV
 * priority, TXT and CAA content as planned. `widths` pads the name and type columns for a whole file.
 */
export function zoneLine(record: DnsRecordSpec, widths: { name: number; type: number } = { name: 0, type: 0 }): string {
  return `${absoluteName(record.name).padEnd(widths.name)} ${record.ttl} IN ${record.type.padEnd(widths.type)} ${rdata(record)}`;
}

function rdata(record: DnsRecordSpec): string {
  switch (record.type) {
    case "MX":
      return `${record.priority ?? 10} ${absoluteName(record.content)}`;
    case "CNAME":
      return absoluteName(record.content);
    case "SRV": {
      const srv = parseSrv(record.content);
      return `${record.priority ?? 0} ${srv.weight} ${srv.port} ${srv.target === "." ? "." : absoluteName(srv.target)}`;
    }
    default:
      return record.content;
  }
}

/** BIND zone-file text of the planned records, for users whose DNS host is not managed by the program. */
export function renderZoneFile(domain: string, records: DnsRecordSpec[]): string {
  const widths = { name: Math.max(...records.map((r) => absoluteName(r.name).length), 1), type: 5 };
  const lines = records.map((r) => `${zoneLine(r, widths)} ; ${r.comment}`);
  return [`; mailstack records for ${normalizeName(domain)}`, `$ORIGIN ${absoluteName(domain)}`, ...lines, ""].join(
    "\n",
  );
}

// --- record keys ------------------------------------------------------------------------------------

/**
 * A stable, readable identity for a record (`mx-example.com`): part of its Pulumi resource name, so a
 * re-run maps each record to the same resource, and how the doctor groups records of one kind.
 */
export function recordKey(record: Pick<DnsRecordSpec, "type" | "name">): string {
  return `${record.type.toLowerCase()}-${normalizeName(record.name)}`;
}

/**
 * Unique keys for a list of records: records sharing type and name (two MX) get `-2`, `-3` in content
 * order, so the keys do not depend on the order the records were listed in (Resend's API order).
 */
export function recordKeys(records: readonly DnsRecordSpec[]): string[] {
  const groups = new Map<string, number[]>();
  records.forEach((r, i) => groups.set(recordKey(r), [...(groups.get(recordKey(r)) ?? []), i]));
  const keys: string[] = new Array(records.length);
  for (const [key, indexes] of groups) {
    const ordered = [...indexes].sort((a, b) =>
      records[a].content < records[b].content ? -1 : records[a].content > records[b].content ? 1 : a - b,
    );
    ordered.forEach((i, n) => (keys[i] = n === 0 ? key : `${key}-${n + 1}`));
  }
  return keys;
}
