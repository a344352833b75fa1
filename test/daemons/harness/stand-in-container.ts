// TEMPORARY: container inputs rendered directly until test/support/run-program.ts lands.
import { generateKeyPairSync } from "node:crypto";
import { dovecotPasswordHash } from "../../../lib/sha512-crypt";
import { renderAccounts, renderVirtual, renderReceiveAccess, renderOpenDkim, dkimKeyPath, CONFIG_DIR } from "../../../lib/render/mailserver-files";
import { planDnsRecords, planResendManualRecords } from "../../../lib/render/dns-records";
import { dkimPublicKeyBase64 } from "../../../lib/dkim";
import { selfSignedCert } from "./self-signed";

export function standInRun(relayPort: number, passwords: Record<string, string>) {
  const domain = "example.test";
  const hostname = "mail.example.test";
  const selector = "mail";
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const tls = selfSignedCert(hostname);
  const accounts = Object.keys(passwords);
  const dk = renderOpenDkim({ domain, selector });
  const uploads = [
    { file: `${CONFIG_DIR}/postfix-accounts.cf`, content: renderAccounts(accounts.map((a) => ({ address: a, passwordHash: dovecotPasswordHash(a, passwords[a]) }))) },
    { file: `${CONFIG_DIR}/postfix-virtual.cf`, content: renderVirtual({ domain, accounts, aliases: [{ address: `team@${domain}`, targets: [`alice@${domain}`, `bob@${domain}`] }], catchAll: `hi@${domain}` }) },
    { file: `${CONFIG_DIR}/postfix-receive-access.cf`, content: renderReceiveAccess([`blocked@${domain}`]) },
    { file: `${CONFIG_DIR}/opendkim/KeyTable`, content: dk.keyTable },
    { file: `${CONFIG_DIR}/opendkim/SigningTable`, content: dk.signingTable },
    { file: `${CONFIG_DIR}/opendkim/TrustedHosts`, content: dk.trustedHosts },
    { file: `${CONFIG_DIR}/${dkimKeyPath({ domain, selector })}`, content: key },
    { file: "/tmp/dms/tls/cert.pem", content: tls.cert },
    { file: "/tmp/dms/tls/key.pem", content: tls.key },
    { file: "/tmp/dms/relay-password", content: "relay-secret" },
  ];
  const envs = ["SSL_TYPE=manual", "SSL_CERT_PATH=/tmp/dms/tls/cert.pem", "SSL_KEY_PATH=/tmp/dms/tls/key.pem", `DEFAULT_RELAY_HOST=[127.0.0.1]:${relayPort}`, "RELAY_USER=resend", "RELAY_PASSWORD__FILE=/tmp/dms/relay-password", `OVERRIDE_HOSTNAME=${hostname}`];
  const dnsRecords = planDnsRecords({ domain, hostname, serverIp: "127.0.0.1", dkimSelector: selector, dkimPublicKey: dkimPublicKeyBase64(key), dmarc: { policy: "quarantine" }, relayRecords: planResendManualRecords({ domain, region: "us-east-1", returnPath: "send", dkim: "p=MIGfMA0" }) });
  return {
    resources: [{ type: "docker:index/container:Container", name: "mailserver", inputs: { hostname, envs, uploads }, secretInputs: [] }],
    outputs: { dnsRecords, passwords, domain, hostname },
    secretOutputs: [],
  };
}
