/**
 * TXT content in presentation form: quoted character-strings of at most 255 bytes, separated by one space.
 * Cloudflare splits longer unquoted values itself and then reports a diff on every run, so we send the
 * content already split (see shared/reference/pulumi.md, "TXT > 255 chars").
 */
export function quoteTxt(value: string): string {
  const escaped = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`);
  const chunks: string[] = [];
  const bytes = Buffer.from(value, "utf8");
  // Split on byte boundaries that do not cut a UTF-8 sequence (continuation bytes are 10xxxxxx).
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(start + 255, bytes.length);
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
  }
  return (chunks.length ? chunks : [""]).map((c) => `"${escaped(c)}"`).join(" ");
}

/** The inverse of `quoteTxt`: joins the character-strings of a presentation-form TXT value. */
export function unquoteTxt(content: string): string {
  const strings = content.match(/"((?:[^"\\]|\\.)*)"/g);
  if (!strings) return content;
  return strings.map((s) => s.slice(1, -1).replace(/\\(.)/g, "$1")).join("");
}
