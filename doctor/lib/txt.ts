/**
 * TXT content in our plan is presentation form: quoted character-strings separated by spaces
 * (`"v=DKIM1; k=rsa; " "p=MIIB…"`). Resolvers hand back the strings; what a verifier reads is their
 * concatenation, so that is what we compare.
 */
export function parseTxtStrings(content: string): string[] {
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

/** The value a verifier sees: all character-strings joined without separator. */
export function joinTxt(content: string): string {
  return parseTxtStrings(content).join("");
}

/** Shortens long values (DKIM keys) for a one-line detail. */
export function abbreviate(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max - 12)}…${value.slice(-10)} (${value.length} chars)`;
}
