import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Problems, Scope } from "../../lib/config-reader";
import { readEnv, USER_ENV_VARIABLES } from "../../lib/config-env";
import { DEFAULT_SPAM } from "../../lib/config-spam";
import { SpamConfig } from "../../lib/config-types";
import { renderContainerEnv } from "../../lib/render/container-env";
import { rawConfig } from "../support/raw-config";

function read(env: Record<string, unknown>, spam: SpamConfig = DEFAULT_SPAM) {
  const r = new Problems();
  const result = readEnv(Scope.top(r, rawConfig({ env }, [])), spam);
  return { env: result, problems: r.problems };
}

describe("env: an allow-list", () => {
  it("refuses every variable mailstack sets in the container itself", () => {
    const own = renderContainerEnv({
      domain: "example.com",
      relay: { host: "smtp.example.net", port: 587 },
      fail2ban: true,
      tls: { type: "letsencrypt", domain: "mail.example.com" },
      spam: DEFAULT_SPAM,
      extra: {},
    }).map((e) => e.slice(0, e.indexOf("=")));
    // What mailstack owns must not be overridable (the spam filter's switches included: mailstack:spam); its
    // small-server defaults may be.
    const overridable = ["ENABLE_CLAMAV", "ENABLE_QUOTAS", "LOG_LEVEL"];
    expect(own).toEqual(
      expect.arrayContaining(["ENABLE_RSPAMD", "ENABLE_OPENDKIM", "MOVE_SPAM_TO_JUNK", ...overridable]),
    );
    for (const name of own) {
      const { problems } = read({ [name]: "1" });
      if (overridable.includes(name))
        expect(problems, name).toEqual(expect.not.arrayContaining([expect.stringMatching(/set by mailstack/)]));
      else
        expect(problems.join(), name).toMatch(
          new RegExp(`mailstack:env\\.${name} (is set by mailstack itself|makes docker-mailserver read)`),
        );
    }
  });

  it("lets through each variable a user may set, with a value of its shape", () => {
    const { env, problems } = read({
      TZ: "America/Argentina/Buenos_Aires",
      LOG_LEVEL: "debug",
      POSTFIX_MESSAGE_SIZE_LIMIT: 52428800,
      REPORT_RECIPIENT: "ops@example.net",
      SRS_EXCLUDE_DOMAINS: ".example.com,example.org",
      RSPAMD_HFILTER_HOSTNAME_UNKNOWN_SCORE: "-2",
      ENABLE_CLAMAV: 1,
      TLS_LEVEL: "intermediate",
    });
    expect(problems).toEqual([]);
    expect(env).toMatchObject({
      POSTFIX_MESSAGE_SIZE_LIMIT: "52428800",
      ENABLE_CLAMAV: "1",
      TZ: "America/Argentina/Buenos_Aires",
    });
  });

  it("refuses the settings of the scanners mailstack keeps off, and Rspamd's own without Rspamd", () => {
    const off = read({
      SA_TAG2: "6.31",
      AMAVIS_LOGLEVEL: "1",
      POSTGREY_DELAY: 300,
      ENABLE_SPAMASSASSIN_KAM: 1,
    }).problems;
    expect(off).toEqual([
      expect.stringMatching(/^mailstack:env\.SA_TAG2 belongs to Amavis and SpamAssassin, which mailstack keeps off/),
      expect.stringMatching(/^mailstack:env\.AMAVIS_LOGLEVEL belongs to Amavis/),
      expect.stringMatching(/^mailstack:env\.POSTGREY_DELAY belongs to Postgrey.*spam\.greylisting/),
      expect.stringMatching(/^mailstack:env\.ENABLE_SPAMASSASSIN_KAM belongs to Amavis/),
    ]);
    // ClamAV only scans through Rspamd or Amavis (setup.d/security/misc.sh), and Amavis is off.
    const none = { ...DEFAULT_SPAM, filter: "none" as const, learning: false };
    const withoutRspamd = read({ ENABLE_CLAMAV: 1, SPAM_SUBJECT: "[SPAM] ", RSPAMD_NEURAL: 1, TZ: "UTC" }, none);
    expect(withoutRspamd.problems).toEqual([
      expect.stringMatching(/^mailstack:env\.ENABLE_CLAMAV works through Rspamd, which spam\.filter: none turns off/),
      expect.stringMatching(/^mailstack:env\.SPAM_SUBJECT works through Rspamd/),
      expect.stringMatching(/^mailstack:env\.RSPAMD_NEURAL works through Rspamd/),
    ]);
    expect(withoutRspamd.env).toEqual({ TZ: "UTC" });
    // A fraction is not what docker-mailserver's integer check accepts.
    expect(read({ RSPAMD_HFILTER_HOSTNAME_UNKNOWN_SCORE: "6.5" }).problems.join()).toMatch(/expected a whole number/);
  });

  it("refuses a quote or a line break in any value: it would end NAME='value' in the file docker-mailserver sources", () => {
    // An address may hold ' (RFC 5322), the settings file may not; other shapes refuse it themselves.
    for (const [name, value] of [
      ["REPORT_RECIPIENT", "'ops@example.net"],
      ["PFLOGSUMM_SENDER", "o'brien@example.net"],
    ])
      expect(read({ [name]: value }).problems.join(), value).toMatch(
        new RegExp(
          `^mailstack:env\\.${name} is .*; docker-mailserver writes it as ${name}='value' into a file its scripts source`,
        ),
      );
  });

  it("refuses a time zone that is a path out of /usr/share/zoneinfo", () => {
    for (const tz of ["../../etc/passwd", "Europe/../../x", "/etc/localtime"])
      expect(read({ TZ: tz }).problems.join(), tz).toMatch(/expected a tz database name/);
  });

  it("is documented: README.md names every variable a user may set", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
    for (const name of USER_ENV_VARIABLES) expect(readme, name).toContain(`\`${name}\``);
  });
});
