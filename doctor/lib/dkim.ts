import { createPublicKey } from "node:crypto";
import { parseTagList } from "./tags";

/**
 * Compares a published DKIM record with the key we planned. A key that is a strict prefix of the planned one
 * is reported as truncated: the usual result of pasting only the first 255-byte string of a split TXT value.
 */
export type DkimVerdict =
  | { status: "match"; bits?: number }
  | { status: "truncated"; publishedLength: number; plannedLength: number }
  | { status: "different"; reason: string }
  | { status: "invalid"; reason: string };

/** Key material compares without whitespace: zone files and dashboards wrap it freely. */
const compact = (key: string) => key.replace(/\s+/g, "");

export function compareDkimRecord(publishedRecord: string, plannedKey: string): DkimVerdict {
  const tags = parseTagList(publishedRecord);
  const version = tags.get("v");
  if (version !== undefined && version !== "DKIM1")
    return { status: "invalid", reason: `v=${version} (must be DKIM1)` };
  const key = tags.get("p");
  if (key === undefined) return { status: "invalid", reason: "no p= tag" };
  const published = compact(key);
  const planned = compact(plannedKey);
  if (published === "") return { status: "invalid", reason: "p= is empty (the key is revoked)" };
  if (published === planned) return { status: "match", bits: publicKeyBits(published) };
  if (planned.startsWith(published))
    return { status: "truncated", publishedLength: published.length, plannedLength: planned.length };
  const bits = publicKeyBits(published);
  return {
    status: "different",
    reason: bits ? `a different ${bits}-bit key is published` : "the published p= is not a valid public key",
  };
}

/** Modulus length of a base64 SubjectPublicKeyInfo RSA key, or undefined when it does not parse. */
export function publicKeyBits(base64Key: string): number | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(base64Key, "base64"), format: "der", type: "spki" });
    return key.asymmetricKeyDetails?.modulusLength ?? (key.asymmetricKeyType === "ed25519" ? 256 : undefined);
  } catch {
    return undefined;
  }
}
