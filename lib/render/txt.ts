/**
 * TXT content in presentation form: quoted character-strings of at most 255 bytes, separated by one space.
 * Cloudflare splits longer unquoted values itself and then reports a diff on every run, so we send the
 * content already split (see shared/reference/pulumi.md, "TXT > 255 chars"). Every part of the program that
 * reads or writes TXT content (planning, Resend's records, the doctor, the daemon tests) goes through here.
 */
export function quoteTxt(value: string): string {
  const escaped = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`);
  const chunks: string[] = [];
  const bytes = Buffer.from(value, "utf8");
  // Split on byte boundaries that do not cut a UTF-8 sequence (continuation bytes are 10xxxxxx).
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + 255, bytes.length);
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
  }
  return (chunks.length ? chunks : [""]).map((c) => `"${escaped(c)}"`).join(" ");
}

/**
 * The character-strings of a TXT value: quoted presentation form (`"a" "b"`, with `\"`, `\\` and `\DDD`
 * escapes), or a bare unquoted value, which is one string.
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
    let value = "";
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") {
        const digits = /^\d{3}/.exec(text.slice(i + 1));
        if (digits) {
          value += String.fromCharCode(Number(digits[0]));
          i += 4;
          continue;
        }
        i++;
      }
      value += text[i];
      i++;
    }
    if (text[i] !== '"') throw new Error(`unterminated quoted string in TXT content: ${content}`);
    i++;
    strings.push(value);
  }
  return strings;
}

/** The value a verifier sees: the character-strings joined without separator (the inverse of `quoteTxt`). */
export function unquoteTxt(content: string): string {
  return txtStrings(content).join("");
}
