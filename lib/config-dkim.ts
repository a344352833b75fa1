/** `dkim` and `dkimPrivateKey`: how the server signs its mail for one domain. */
import { DkimConfig } from "./config-types";
import { Scope, show } from "./config-reader";
import { asciiLower, LABEL } from "./mail-syntax";
import { parseRsaPrivateKey, rsaKeyBits } from "./dkim";

export const DKIM_KEYS = ["dkim", "dkimPrivateKey"];
const DKIM_BITS = [1024, 2048, 3072, 4096];

/** Where a secret value is read: a name in a scope (`dkimPrivateKey`, or `dkimPrivateKeys` › the domain). */
export interface SecretAt {
  scope: Scope;
  name: string;
}

/**
 * `dkim` from `scope`; the imported key from `key` (the same scope's `dkimPrivateKey` unless given: with
 * `domains`, `dkimPrivateKeys.<domain>`).
 */
export function readDkim(
  scope: Scope,
  relayProvider: string,
  key: SecretAt = { scope, name: "dkimPrivateKey" },
): DkimConfig {
  const s = scope.object("dkim");
  s?.only(["selector", "bits"]);
  // A selector is a DNS name and a path part of the key file (opendkim/keys/<domain>/<selector>.private).
  const selector = asciiLower(s?.string("selector") ?? "mail");
  if (!selector.split(".").every((l) => LABEL.test(l)))
    s!.fail("selector", `is ${show(selector)}; expected a DNS label such as "mail"`);
  else if (selector === "resend" && relayProvider === "resend")
    s!.fail("selector", `is "resend", which Resend's own DKIM record uses; pick another, e.g. "mail"`);
  const bits = s?.number("bits") ?? 2048;
  if (!DKIM_BITS.includes(bits))
    s!.fail("bits", `is ${show(bits)}; expected one of ${DKIM_BITS.join(", ")} (below 1024 is refused by receivers)`);

  const dkim: DkimConfig = { selector, bits };
  const pem = key.scope.secret(key.name);
  if (pem) {
    try {
      const k = parseRsaPrivateKey(pem);
      if (rsaKeyBits(k) < 1024)
        key.scope.fail(
          key.name,
          `is a ${rsaKeyBits(k)}-bit key; receivers require at least 1024 bits (2048 recommended)`,
        );
      else dkim.privateKeyPem = pem;
    } catch (e) {
      key.scope.fail(key.name, `is malformed: ${(e as Error).message} (value not shown)`);
    }
  }
  return dkim;
}
