import { createHash, createHmac } from "node:crypto";

/**
 * SHA-512-crypt (`$6$`), the scheme docker-mailserver's `setup email add` writes via
 * `doveadm pw -s SHA512-CRYPT`. Implemented from Ulrich Drepper's specification
 * (https://www.akkadia.org/drepper/SHA-crypt.txt); checked against `openssl passwd -6` and Dovecot itself.
 */
const ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ROUNDS = 5000; // the default: no `rounds=` field, as doveadm writes it

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
}

/** `len` bytes of `block` repeated (the spec's "for each block of 64 bytes, then the rest"). */
function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += block.length) block.copy(out, i, 0, Math.min(block.length, len - i));
  return out;
}

// The spec's byte permutation for the final base64 encoding of the 64-byte digest: triples (i, i+21, i+42)
// rotated by one position each step, then byte 63 alone.
const ORDER: [number, number, number][] = Array.from({ length: 21 }, (_, i) => {
  const t = [i, i + 21, i + 42];
  const r = i % 3;
  return [t[r], t[(r + 1) % 3], t[(r + 2) % 3]] as [number, number, number];
});

function encode(digest: Buffer): string {
  let out = "";
  const b64 = (b2: number, b1: number, b0: number, n: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let i = 0; i < n; i++) {
      out += ALPHABET[w & 0x3f];
      w >>= 6;
    }
  };
  for (const [a, b, c] of ORDER) b64(digest[a], digest[b], digest[c], 4);
  b64(0, 0, digest[63], 2);
  return out;
}

export function sha512Crypt(password: string, salt: string): string {
  if (!/^[./0-9A-Za-z]{1,16}$/.test(salt))
    throw new Error("sha512Crypt: salt must be 1-16 characters of [./0-9A-Za-z]");
  const pw = Buffer.from(password, "utf8");
  const s = Buffer.from(salt, "ascii");

  const b = sha512(pw, s, pw);
  const aParts: Buffer[] = [pw, s, repeatTo(b, pw.length)];
  for (let n = pw.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : pw);
  let c = sha512(...aParts);

  const dp = repeatTo(sha512(...Array<Buffer>(pw.length).fill(pw)), pw.length);
  const ds = repeatTo(sha512(...Array<Buffer>(16 + c[0]).fill(s)), s.length);

  for (let i = 0; i < ROUNDS; i++) {
    const parts: Buffer[] = [i & 1 ? dp : c];
    if (i % 3) parts.push(ds);
    if (i % 7) parts.push(dp);
    parts.push(i & 1 ? c : dp);
    c = sha512(...parts);
  }
  return `$6$${salt}$${encode(c)}`;
}

/**
 * A salt derived from the password and the address, so the same account and password always hash to the
 * same line (no churn between runs) while a new password gives a new salt. The salt is not secret in crypt
 * schemes; deriving it with an HMAC keyed by the password keeps it from revealing anything about it.
 */
export function stableSalt(address: string, password: string): string {
  const mac = createHmac("sha512", password).update(`mailstack-salt:${address}`).digest();
  return Array.from(mac.subarray(0, 16), (byte) => ALPHABET[byte & 0x3f]).join("");
}

/** The `{SHA512-CRYPT}$6$…` value docker-mailserver keeps in `postfix-accounts.cf`. */
export function dovecotPasswordHash(address: string, password: string): string {
  return `{SHA512-CRYPT}${sha512Crypt(password, stableSalt(address, password))}`;
}
