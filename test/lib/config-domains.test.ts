import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lib/config";
import { rawConfig } from "../support/raw-config";
import { MULTI_CONFIG, MULTI_SECRETS, PROD_CONFIG, PROD_SECRETS, RESEND_DKIM } from "../support/fixtures";

const parse = (config: Record<string, unknown>, secrets = MULTI_SECRETS) => parseConfig(rawConfig(config, secrets));

function problemsOf(config: Record<string, unknown>, secrets = MULTI_SECRETS): string[] {
  try {
    parse(config, secrets);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected the config to be refused");
}

type Entry = Record<string, unknown>;
const entries = (config = MULTI_CONFIG) => structuredClone(config.domains) as Entry[];
/** `config` (MULTI_CONFIG) with entry `i` changed. */
const withEntry = (i: number, change: Entry, config = MULTI_CONFIG) => {
  const domains = entries(config);
  domains[i] = { ...domains[i], ...change };
  return { ...config, domains };
};

describe("domains: several mail domains on one server", () => {
  it("reads each domain with its own accounts, catch-all, aliases, DKIM, DMARC and relay credential", () => {
    const c = parse(MULTI_CONFIG);
    expect(c.domains.map((d) => d.domain)).toEqual(["example.com", "family.example", "lists.example.com"]);
    const [com, family, lists] = c.domains;
    // The same local part at two domains is two accounts.
    expect(com.accounts).toEqual(["hi@example.com", "me@example.com"]);
    expect(family.accounts).toEqual(["hi@family.example", "mom@family.example"]);
    expect(lists.accounts).toEqual(["news@lists.example.com"]);
    expect(com.catchAll).toBe("hi@example.com");
    expect(family.catchAll).toBe("mom@family.example");
    // An alias target at another hosted domain is one of its accounts.
    expect(family.aliases).toEqual([
      { address: "kids@family.example", targets: ["mom@family.example", "me@example.com"] },
    ]);
    expect(family.dkim).toEqual({ selector: "fam", bits: 2048 });
    expect(com.dkim.selector).toBe("mail");
    expect(family.dmarc).toEqual({ policy: "quarantine", rua: ["dmarc@example.com"] });
    // One relay; family.example has its own scoped key, the others share relayPassword.
    expect(family.relay).toMatchObject({
      provider: "resend",
      host: "smtp.resend.com",
      password: "re_family_scoped_key_1234",
    });
    expect(com.relay.password).toBe("re_shared_relay_key_123456");
    expect(lists.relay.password).toBe("re_shared_relay_key_123456");
    expect(c.passwords).toEqual({ "hi@family.example": "family-hi-password" });
    // The first domain is the server's own; the top-level fields are its values.
    expect(c.domain).toBe("example.com");
    expect(c.hostname).toBe("mail.example.com");
    expect(c.accounts).toEqual(com.accounts);
    // rua at another hosted domain: its zone gets the consent record (lib/plan), so no warning.
    expect(c.warnings.join("\n")).not.toMatch(/_report\._dmarc/);
    expect(parse(withEntry(1, { dmarc: { rua: "r@reports.example.net" } })).warnings.join("\n")).toMatch(
      /family\.example\._report\._dmarc\.reports\.example\.net/,
    );
  });

  it("a single-domain config is one domain, as before", () => {
    const c = parseConfig(rawConfig(PROD_CONFIG, PROD_SECRETS));
    expect(c.domains).toHaveLength(1);
    expect(c.domains[0]).toMatchObject({
      domain: "qladgk.com",
      accounts: c.accounts,
      catchAll: c.catchAll,
      dkim: c.dkim,
      relay: c.relay,
    });
  });

  it("hostname defaults to mail.<first domain>, and may be in any hosted domain's zone", () => {
    expect(parse({ ...MULTI_CONFIG, hostname: undefined }).hostname).toBe("mail.example.com");
    expect(parse({ ...MULTI_CONFIG, hostname: "mx.family.example" }).hostname).toBe("mx.family.example");
    expect(problemsOf({ ...MULTI_CONFIG, hostname: "mail.elsewhere.net" }).join("\n")).toMatch(
      /mailstack:hostname is "mail\.elsewhere\.net", outside the zone example\.com/,
    );
  });

  it.each([
    ["accounts", ["hi"]],
    ["catchAll", "hi"],
    ["aliases", { a: "hi" }],
    ["blocked", ["x"]],
    ["dkim", { selector: "x" }],
    ["dmarc", { policy: "reject" }],
    ["resend", { dkim: RESEND_DKIM }],
    ["domain", "example.com"],
  ])("refuses the single-domain key %s beside domains", (key, value) => {
    expect(problemsOf({ ...MULTI_CONFIG, [key]: value }).join("\n")).toMatch(
      new RegExp(
        `mailstack:${key} describes one domain and cannot be used beside mailstack:domains; move it into each entry of domains \\(domains\\[0\\]\\.${key}\\)`,
      ),
    );
  });

  it("the empty defaults Pulumi.yaml gives the single-domain keys are not a mix", () => {
    const c = parse({ ...MULTI_CONFIG, accounts: [], aliases: {}, blocked: [], dkim: {}, dmarc: {}, resend: {} });
    expect(c.domains).toHaveLength(3);
  });

  it("refuses the per-domain secret maps without domains", () => {
    const problems = problemsOf(
      { ...PROD_CONFIG, relayPasswords: { "qladgk.com": "re_x_1234567" }, dkimPrivateKeys: {} },
      [...PROD_SECRETS, "relayPasswords"],
    );
    expect(problems.join("\n")).toMatch(
      /mailstack:relayPasswords is keyed by the domains of mailstack:domains, which is not set; use relayPassword/,
    );
  });

  it("keeps secrets out of domains: each is named with where it goes", () => {
    const problems = problemsOf(withEntry(1, { passwords: { hi: "x-password-1" }, relayPassword: "re_x" })).join("\n");
    expect(problems).toMatch(
      /mailstack:domains\[1\]\.passwords is a secret and stays out of domains; set it at the top level as passwords\["<account>@family\.example"\]/,
    );
    expect(problems).toMatch(
      /mailstack:domains\[1\]\.relayPassword is a secret .* relayPasswords\["family\.example"\]/,
    );
  });

  it("names the entry and the key of every problem inside it", () => {
    const problems = problemsOf(
      withEntry(1, { accounts: ["hi", "x@example.com"], dkim: { selector: "a b" }, catchAll: "nobody", colour: "red" }),
    ).join("\n");
    expect(problems).toMatch(/mailstack:domains\[1\]\.accounts has "x@example\.com", which is not at family\.example/);
    expect(problems).toMatch(/mailstack:domains\[1\]\.dkim\.selector is "a b"/);
    expect(problems).toMatch(
      /mailstack:domains\[1\]\.catchAll targets "nobody", which is not an account or an alias at family\.example/,
    );
    expect(problems).toMatch(
      /mailstack:domains\[1\]\.colour is not a known setting; a domain's entry takes domain, accounts/,
    );
  });

  it("refuses a domain listed twice, an entry that is not a mapping, an entry without a domain", () => {
    const domains = entries();
    const problems = problemsOf({
      ...MULTI_CONFIG,
      domains: [...domains, { ...domains[0], domain: "Example.COM" }, "b.example", { accounts: ["x"] }],
    }).join("\n");
    expect(problems).toMatch(/mailstack:domains\[3\]\.domain is "example\.com", listed twice/);
    expect(problems).toMatch(/mailstack:domains\[4\] must be a mapping \(got "b\.example"\)/);
    expect(problems).toMatch(/mailstack:domains\[5\]\.domain is required/);
  });

  it("checks targets at another hosted domain like local ones: they must exist there and not be blocked", () => {
    const config = withEntry(0, { blocked: ["old"] });
    const problems = problemsOf(
      withEntry(1, { aliases: { kids: ["nobody@example.com"], gran: "old@example.com" } }, config),
    ).join("\n");
    expect(problems).toMatch(
      /mailstack:domains\[1\]\.aliases\.kids targets nobody@example\.com, which is not an account or an alias at example\.com, a domain this server hosts/,
    );
    expect(problems).toMatch(
      /mailstack:domains\[1\]\.aliases\.gran targets old@example\.com, which is blocked at example\.com/,
    );
  });

  it("finds a loop of aliases across domains", () => {
    const config = withEntry(0, { aliases: { ping: "pong@family.example" } });
    const problems = problemsOf(withEntry(1, { aliases: { pong: "ping@example.com" } }, config)).join("\n");
    expect(problems).toMatch(
      /mailstack:domains\[0\]\.aliases\.ping is part of a loop across domains: ping@example\.com → pong@family\.example → ping@example\.com/,
    );
  });

  it("does not count a cross-domain target as forwarding out through the relay", () => {
    // Resend refuses outside forwarding; me@example.com is delivered here.
    expect(() => parse(MULTI_CONFIG)).not.toThrow();
    expect(problemsOf(withEntry(1, { aliases: { kids: ["mom", "someone@gmail.com"] } })).join("\n")).toMatch(
      /mailstack:domains\[1\]\.aliases\.kids forwards to someone@gmail\.com, outside the hosted domains/,
    );
  });

  it("passwords are keyed by full address with domains", () => {
    const problems = problemsOf({ ...MULTI_CONFIG, passwords: { hi: "x-password-1" } }).join("\n");
    expect(problems).toMatch(
      /mailstack:passwords\.hi is a local part; with mailstack:domains each password is keyed by the account's full address \(hi@example\.com or hi@family\.example\)/,
    );
  });

  it("refuses relayPasswords and dkimPrivateKeys for a domain not listed", () => {
    const problems = problemsOf({ ...MULTI_CONFIG, relayPasswords: { "other.example": "re_other_1234" } }).join("\n");
    expect(problems).toMatch(/mailstack:relayPasswords\.other\.example is not a domain in mailstack:domains/);
  });

  it("a domain may have its own relay; one that sends directly may not follow one that relays", () => {
    const own = parse(
      withEntry(
        2,
        { relay: { provider: "custom", host: "smtp.lists.example", port: 2525, username: "lists" } },
        {
          ...MULTI_CONFIG,
          relayPasswords: { "lists.example.com": "lists-relay-password" },
        },
      ),
    );
    expect(own.domains[2].relay).toMatchObject({
      host: "smtp.lists.example",
      port: 2525,
      password: "lists-relay-password",
    });
    expect(problemsOf(withEntry(2, { relay: { provider: "none" } })).join("\n")).toMatch(
      /mailstack:domains\[2\]\.relay sends lists\.example\.com's mail directly while example\.com, the first domain, relays through smtp\.resend\.com/,
    );
  });

  it("requires each relaying domain's password, naming the key to set", () => {
    const problems = problemsOf(
      withEntry(2, { relay: { provider: "custom", host: "smtp.lists.example", username: "lists" } }),
    ).join("\n");
    expect(problems).toMatch(
      /mailstack:relayPasswords\.lists\.example\.com is required for the custom relay: pulumi config set --secret --path 'relayPasswords\["lists\.example\.com"\]'/,
    );
    const noShared = problemsOf({ ...MULTI_CONFIG, relayPassword: undefined }).join("\n");
    expect(noShared).toMatch(/mailstack:relayPassword is required for the resend relay/);
  });

  it("the secret maps must be stored as secrets", () => {
    const problems = problemsOf(MULTI_CONFIG, ["relayPassword", "passwords", "cloudflare:apiToken"]).join("\n");
    expect(problems).toMatch(
      /mailstack:relayPasswords is stored in plain text; remove it and set it with: pulumi config set --secret --path 'relayPasswords\["<domain>"\]'/,
    );
  });
});
