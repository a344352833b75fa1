// TXT parsing is shared with the program (lib/render/txt.ts): the doctor compares what it planned.
import { txtStrings, unquoteTxt } from "../../lib/render/txt";

export const parseTxtStrings = txtStrings;
export const joinTxt = unquoteTxt;

/** Shortens long values (DKIM keys) for a one-line detail. */
export function abbreviate(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max - 12)}…${value.slice(-10)} (${value.length} chars)`;
}
