/**
 * The seed's stack (Pulumi.prod.yaml) as a user has it after the walkthrough's secrets step, in a scratch
 * project directory: the repository's Pulumi.yaml and Pulumi.prod.yaml, the secrets as the CLI stores them
 * (encrypted: `secure: v1:…`), Resend's DKIM value, and a certificate where tls.certFile/keyFile say (a fixed
 * self-signed one, valid for a century, so the plan's text is the same every day).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { RESEND_DKIM } from "../support/fixtures";

const ROOT = path.resolve(__dirname, "../..");

export function seedProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-plan-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const stack = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
    config: Record<string, any>;
  };
  stack.config["mailstack:relayPassword"] = { secure: "v1:c2VlZC1ub25jZQ==:cmVfc2VlZF9yZWxheV9rZXk=" };
  stack.config["cloudflare:apiToken"] = { secure: "v1:c2VlZC1ub25jZQ==:Y2YtdG9rZW4=" };
  stack.config["mailstack:resend"] = { ...stack.config["mailstack:resend"], dkim: RESEND_DKIM };
  fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), yaml.dump(stack, { lineWidth: -1 }));
  fs.cpSync(path.join(__dirname, "fixtures/certs"), path.join(dir, "certs"), { recursive: true });
  return dir;
}
