/** Quotes a word for a POSIX shell when needed: plain words stay as they are, anything else goes in '…'. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
