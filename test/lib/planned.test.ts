import { describe, expect, it } from "vitest";
import { plannedDeploymentSchema } from "../../lib/planned";
import { PROD_CONFIG, runProgram, SECOND_CONFIG } from "../support/run-program";

/** Records as Resend's API may return them: relative names, DKIM CNAMEs with a trailing dot, a tracking CAA. */
const RESEND_RECORDS = [
  { record: "SPF", name: "send", type: "MX", value: "feedback-smtp.eu-west-1.amazonses.com", priority: 10 },
  { record: "SPF", name: "send", type: "TXT", value: '"v=spf1 include:amazonses.com ~all"' },
  { record: "DKIM", name: "abc._domainkey", type: "CNAME", value: "abc.dkim.amazonses.com." },
  { record: "TrackingCAA", name: "links", type: "CAA", value: '0 issue "amazon.com"' },
].map((r) => ({ ttl: "Auto", status: "not_started", ...r }));

/**
 * The program↔doctor contract: what the real program exports (index.ts under mocks) is exactly what the
 * schema accepts, with nothing filled in by its defaults.
 */
describe("the planned deployment the program exports", () => {
  it.each([
    ["prod (Resend by hand)", PROD_CONFIG, {}],
    ["second domain (IPv6, SES, self-signed)", SECOND_CONFIG, {}],
    [
      "Resend provisioned, records from its API",
      { ...PROD_CONFIG, relayPassword: undefined, resend: { region: "eu-west-1" }, resendApiKey: "re_full_key_123" },
      { resendRecords: RESEND_RECORDS },
    ],
  ])("%s satisfies the schema", async (_, config, options) => {
    const run = await runProgram(config, options);
    // What `pulumi stack output --json` prints: JSON, secrets included as values the doctor ignores.
    const exported = JSON.parse(JSON.stringify(run.outputs));
    const parsed = plannedDeploymentSchema.safeParse(exported);
    expect(parsed.error?.issues).toBeUndefined();
    const { passwords: _passwords, backupKey: _backupKey, ...planned } = exported;
    expect(parsed.data).toEqual(planned);
  });
});
