import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";

/** Parses a PEM RSA private key (PKCS#1 or PKCS#8); throws with a reason when it is not one. */
export function parseRsaPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new Error(
      "it is not a PEM private key (expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)",
    );
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new Error(`it is a ${key.asymmetricKeyType} key; OpenDKIM in docker-mailserver signs with RSA keys`);
  }
  return key;
}

export function rsaKeyBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** The base64 SubjectPublicKeyInfo that goes after `p=` in the DKIM record, derived from the private key. */
export function dkimPublicKeyBase64(privateKeyPem: string): string {
  const der = createPublicKey(parseRsaPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" });
  return der.toString("base64");
}

/** The DKIM TXT record value (unquoted), in the form the seed's manual procedure publishes. */
export function dkimTxtValue(publicKeyBase64: string): string {
  return `v=DKIM1; h=sha256; k=rsa; p=${publicKeyBase64}`;
}
