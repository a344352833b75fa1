/**
 * Round-trip property test (issue 18): random strings, hostile characters included, for every string-valued
 * config field. Each generated config is evaluated as index.ts does (test/support/run-stacks.ts: the real
 * readStackConfig and MailStack under mocks) and is either refused before any resource, or the container it
 * registers holds files that the real parsers read back as exactly the accounts, aliases, blocked addresses,
 * credentials and environment the config meant: `postmap -s` for the Postfix tables, Dovecot's passwd-file through
 * a running auth service, bash `source` for the environment as docker-mailserver reads it.
 *
 * Runs with a fixed seed (the same configs in every CI run) and with a random one that it prints; rerun a failure
 * with MAILSTACK_ROUNDTRIP_SEED=<seed>. Many configs share each parser invocation, so it takes seconds.
 */
import { createPublicKey } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailConfig } from "../../lib/config-types";
import { runStacks, StackOutcome } from "../support/run-stacks";
import { PROD_CERT } from "../support/fixtures";
import { assertDaemonsInstalled, daemonsRunnable } from "./harness/daemons-available";
import { filesFromPlan, MailServerFiles } from "./harness/from-plan";
import { userdbFromAccounts } from "./harness/dovecot";
import { DovecotAuth, inParallel, postmapDump, rspamdConfigDump, sourcedEnvironments } from "./harness/read-back";
import { tlsRptTxtValue } from "../../lib/well-known/tls-rpt";
import { asciiLower } from "../../lib/mail-syntax";

const FIXED_SEED = 18;
const RUNS_PER_SEED = Number(process.env.MAILSTACK_ROUNDTRIP_RUNS ?? 200);
const randomSeed = Number(process.env.MAILSTACK_ROUNDTRIP_SEED ?? Math.floor(Math.random() * 2 ** 31));

// --- generators ---------------------------------------------------------------------------------------------

/** Characters some file or daemon gives meaning to, and a few that only look harmless. */
const SPECIAL = [
  ..."|:#, \t\n\r/%!'\"`$\\+-._@;<>()[]=&~*?^{}",
  "\u0000",
  "\u007f",
  "ü",
  "İ",
  "\u212a", // KELVIN SIGN, which lower-cases to an ASCII k
  "\u00a0",
];
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
/** Mostly a plain word; sometimes one with a special character inside, before it, or after it. */
const hostile = fc.oneof(
  { weight: 60, arbitrary: word },
  { weight: 2, arbitrary: fc.tuple(word, fc.constantFrom(...SPECIAL), word).map(([a, c, b]) => a + c + b) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SPECIAL), word).map(([c, a]) => c + a) },
  { weight: 1, arbitrary: fc.tuple(word, fc.constantFrom(...SPECIAL)).map(([a, c]) => a + c) },
);
const anyText = fc.string({ unit: "binary", minLength: 0, maxLength: 12 });
/** `arb` in one case out of `oneIn`, otherwise unset. */
const sometimes = <T>(arb: fc.Arbitrary<T>, oneIn = 3) =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
/** Text as a subject tag or greylisting reply might hold: printable, specials included. */
const text = fc.string({ unit: fc.constantFrom(..."ab [](); &-_.", ...SPECIAL), minLength: 1, maxLength: 12 });

/** Environment entries: variables users set, with values of their shape or not, and now and then anything. */
const envEntry = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constant("TZ"), fc.oneof(fc.constantFrom("Europe/Berlin", "UTC"), hostile)) },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constant("SPAM_SUBJECT"),
      fc.oneof({ weight: 2, arbitrary: fc.constantFrom("[SPAM] ", "*** SPAM *** ") }, { weight: 1, arbitrary: text }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constant("REPORT_RECIPIENT"),
      hostile.map((w) => `${w}@ops.net`),
    ),
  },
  { weight: 2, arbitrary: fc.tuple(fc.constant("POSTFIX_MESSAGE_SIZE_LIMIT"), fc.oneof(fc.nat(), hostile)) },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constantFrom("ENABLE_CLAMAV", "ENABLE_SRS"),
      fc.oneof(fc.boolean(), fc.constantFrom(0, 1), hostile),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.oneof(
        fc.constantFrom("PERMIT_DOCKER", "RELAY_USER"),
        hostile.map((w) => w.toUpperCase()),
      ),
      hostile,
    ),
  },
);

const configArb = fc
  .record({
    domain: fc.oneof(
      { weight: 12, arbitrary: word.map((w) => `${w}.example`) },
      { weight: 1, arbitrary: hostile.map((w) => `${w}.example`) },
      { weight: 1, arbitrary: anyText },
    ),
    hostname: sometimes(
      hostile.map((w) => `${w}.example`),
      6,
    ),
    accounts: fc.uniqueArray(hostile, { minLength: 1, maxLength: 4 }),
    aliasNames: fc.uniqueArray(hostile, { maxLength: 3 }),
    externals: fc.array(
      fc.tuple(hostile, word).map(([l, d]) => `${l}@${d}.net`),
      { maxLength: 2 },
    ),
    blocked: fc.array(hostile, { maxLength: 3 }),
    passwords: fc.array(fc.string({ unit: "binary", minLength: 6, maxLength: 16 }), { maxLength: 2 }),
    // Resend and SES refuse forwarding outside the domain (lib/config-forwarding.ts): fewer of them, so that
    // enough configs with outside targets are accepted.
    relay: fc.oneof(
      { weight: 3, arbitrary: fc.constant({ provider: "none" }) },
      { weight: 1, arbitrary: fc.constant({ provider: "resend" }) },
      {
        weight: 3,
        arbitrary: fc.record({
          provider: fc.constant("custom"),
          host: hostile.map((w) => `smtp.${w}.net`),
          username: fc.oneof(
            hostile,
            hostile.map((w) => `${w}@relay.net`),
          ),
          port: fc.constantFrom(587, 2525),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          provider: fc.constant("ses"),
          region: fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom("eu-west-1", "us-east-1") },
            { weight: 1, arbitrary: hostile },
          ),
          username: hostile,
        }),
      },
    ),
    relayPassword: fc.oneof(
      word.map((w) => `${w}-secret-1`),
      anyText,
    ),
    selector: sometimes(hostile),
    rua: sometimes(
      fc.oneof(
        hostile.map((w) => `${w}@reports.net`),
        fc.array(
          hostile.map((w) => `mailto:${w}@reports.net`),
          { maxLength: 2 },
        ),
      ),
    ),
    env: fc.array(envEntry, { maxLength: 2 }).map((entries) => Object.fromEntries(entries)),
    // Rspamd signs (its dkim_signing.conf) or OpenDKIM does (its tables).
    spamFilter: sometimes(
      fc.oneof({ weight: 10, arbitrary: fc.constantFrom("rspamd", "none", "None") }, { weight: 1, arbitrary: hostile }),
      4,
    ),
    // The `_smtp._tls` record's URI list.
    tlsRpt: sometimes(
      fc.array(
        fc.oneof(
          hostile.map((w) => `${w}@reports.net`),
          hostile.map((w) => `mailto:${w}@reports.net`),
          hostile.map((w) => `https://reports.net/${w}`),
        ),
        { minLength: 1, maxLength: 2 },
      ),
    ),
    // Settings that reach DNS or the engine rather than a file the server reads: refused or accepted, never crashing.
    serverIp: sometimes(
      fc.oneof(fc.constantFrom("11.22.33.44", "203.0.113.7", "11.22.33.45", "127.1", "10.0.0.1"), hostile),
      6,
    ),
    serverIpv6: sometimes(
      fc.oneof(
        fc.constantFrom("2a01:4f8::1", "2A01:04F8:0:0::2", "2001:db8::7", "::ffff:1.2.3.4", "fe80::1%eth0"),
        hostile,
      ),
      6,
    ),
    policy: sometimes(fc.oneof(fc.constantFrom("reject", "quarantine"), hostile), 6),
    returnPath: sometimes(hostile, 6),
    image: sometimes(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            "mailserver/docker-mailserver:15.0.2",
            "ghcr.io/docker-mailserver/docker-mailserver:15.1.0",
          ),
        },
        { weight: 1, arbitrary: hostile.map((w) => `ghcr.io/docker-mailserver/docker-mailserver:${w}`) },
      ),
      6,
    ),
    containerName: sometimes(hostile, 6),
    dockerHost: sometimes(
      fc.oneof(
        { weight: 4, arbitrary: hostile.map((w) => `ssh://deploy@${w}.example`) },
        { weight: 1, arbitrary: hostile.map((w) => `tcp://${w}.example:2375`) },
      ),
      6,
    ),
  })
  .chain((g) =>
    fc
      .record({
        // Targets refer to what exists, or to an outside address, or to anything at all.
        aliases: fc.constant(g.aliasNames).chain((names) =>
          fc.tuple(
            ...names.map((_, i) =>
              fc.array(
                fc.oneof(
                  // accounts and earlier aliases (no loop) mostly; any alias (maybe itself, maybe a loop) now and then
                  { weight: 8, arbitrary: fc.constantFrom(...g.accounts, ...names.slice(0, i)) },
                  ...(g.externals.length ? [{ weight: 3, arbitrary: fc.constantFrom(...g.externals) }] : []),
                  { weight: 1, arbitrary: fc.constantFrom(...names) },
                  { weight: 1, arbitrary: hostile },
                ),
                { minLength: 1, maxLength: 2 },
              ),
            ),
          ),
        ),
        catchAll: sometimes(
          fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...g.accounts) }, { weight: 1, arbitrary: hostile }),
        ),
      })
      .map(({ aliases, catchAll }): { config: Record<string, unknown>; secretKeys: string[] } => ({
        config: {
          domain: g.domain,
          ...(g.hostname && { hostname: g.hostname }),
          ...(g.serverIp && { serverIp: g.serverIp }),
          ...(g.serverIpv6 && { serverIpv6: g.serverIpv6 }),
          ...(g.returnPath && { resend: { returnPath: g.returnPath } }),
          dns: "none",
          accounts: g.accounts,
          ...(g.passwords.length && {
            passwords: Object.fromEntries(g.passwords.map((p, i) => [g.accounts[i % g.accounts.length], p])),
          }),
          ...(catchAll !== undefined && { catchAll }),
          ...(g.aliasNames.length && {
            aliases: Object.fromEntries(
              g.aliasNames.map((n, i) => [n, aliases[i].length === 1 ? aliases[i][0] : aliases[i]]),
            ),
          }),
          ...(g.blocked.length && { blocked: g.blocked }),
          relay: g.relay,
          ...(g.relay.provider !== "none" && { relayPassword: g.relayPassword }),
          tls: { mode: "self-signed" },
          ...(g.selector && { dkim: { selector: g.selector } }),
          ...((g.rua || g.policy) && {
            dmarc: { ...(g.rua && { rua: g.rua }), ...(g.policy && { policy: g.policy }) },
          }),
          ...(Object.keys(g.env).length && { env: g.env }),
          ...(g.spamFilter && { spam: { filter: g.spamFilter } }),
          ...(g.tlsRpt && { tlsRpt: { rua: g.tlsRpt } }),
          docker: {
            ...(g.image && { image: g.image }),
            ...(g.containerName && { containerName: g.containerName }),
            ...(g.dockerHost && { host: g.dockerHost }),
          },
        },
        secretKeys: ["mailstack:passwords", "mailstack:relayPassword"],
      })),
  );

// --- what each file must read back as ---------------------------------------------------------------------

/**
 * postfix-virtual.cf as Postfix must read it: each alias, postmaster@ and abuse@ (unless accounts or aliases) and
 * the catch-all, to the addresses its mail reaches.
 */
function intendedVirtual(c: MailConfig): Map<string, string> {
  const m = new Map(c.aliases.map((a) => [a.address, reaches(c, a.targets).join(",")]));
  for (const role of ["postmaster", "abuse"].map((r) => `${r}@${c.domain}`))
    if (!c.accounts.includes(role) && !m.has(role)) m.set(role, reaches(c, [c.postmaster]).join(","));
  if (c.catchAll) {
    for (const a of c.accounts) if (!m.has(a)) m.set(a, a);
    m.set(`@${c.domain}`, reaches(c, [c.catchAll]).join(","));
  }
  return m;
}

const envMap = (envs: string[]) => new Map(envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));

interface Accepted {
  index: number;
  input: Record<string, unknown>;
  config: MailConfig;
  files: MailServerFiles;
  envs: string[];
  passwords: Record<string, string>;
}

// --- the test -----------------------------------------------------------------------------------------------

const fixedKeyMaterial = {
  privateKeyPem: PROD_CERT.keyPem,
  publicKeyPem: createPublicKey(PROD_CERT.keyPem).export({ type: "spki", format: "pem" }).toString(),
  certPem: PROD_CERT.certPem,
};

describe.runIf(daemonsRunnable())("config round trip through the real parsers (property)", () => {
  let scratch: string;
  let dovecot: DovecotAuth;

  beforeAll(() => {
    assertDaemonsInstalled();
    scratch = mkdtempSync(join(tmpdir(), "mailstack-roundtrip-"));
    chmodSync(scratch, 0o755); // Dovecot's auth process (user dovecot) reads the passwd-file below it
    dovecot = new DovecotAuth(join(scratch, "dovecot"));
  });
  afterAll(() => {
    dovecot?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const [label, seed] of [
    ["fixed seed", FIXED_SEED],
    ["random seed", randomSeed],
  ] as const) {
    it(`${label} ${seed}: every config is refused before any resource, or reads back as meant`, async () => {
      if (label === "random seed")
        console.log(`config round trip: random seed ${seed} (rerun with MAILSTACK_ROUNDTRIP_SEED=${seed})`);
      const started = performance.now();
      const samples = fc.sample(configArb, { seed, numRuns: RUNS_PER_SEED });
      const outcomes = await runStacks(samples, fixedKeyMaterial);
      const evaluated = performance.now();

      const accepted: Accepted[] = [];
      for (const [index, o] of outcomes.entries()) {
        const where = `seed ${seed}, config ${index}: ${JSON.stringify(samples[index].config)}`;
        expect(o.registeredWhileReading, where).toBe(0);
        if (o.refused) {
          expect(o.container, where).toBeUndefined();
          continue;
        }
        expect(o.crashed, where).toBeUndefined();
        expect(o.container, where).toBeDefined();
        accepted.push(toAccepted(index, samples[index].config, o));
      }
      const dir = join(scratch, `seed-${seed}`);
      checkTables(dir, accepted, seed);
      checkEnvironments(dir, accepted, seed);
      checkOpenDkim(accepted, seed);
      checkRspamd(join(dir, "rspamd"), accepted, seed);
      checkTlsRpt(accepted, seed);
      await checkAccounts(dovecot, accepted, seed);

      console.log(
        `config round trip, seed ${seed}: ${samples.length} configs, ${accepted.length} accepted and read back, ${samples.length - accepted.length} refused; ` +
          `evaluation ${((evaluated - started) / 1000).toFixed(1)} s, parsers ${((performance.now() - evaluated) / 1000).toFixed(1)} s`,
      );
      // A generator that produced only refusals would prove nothing. Every field may be refused on its own, so
      // about one config in six is accepted (25–45 of 200 across seeds); the floor sits well below that.
      expect(accepted.length).toBeGreaterThan(samples.length / 20);
      expect(samples.length - accepted.length).toBeGreaterThan(samples.length / 10);
    }, 300_000);
  }

  it("gives an alias the login of the account it reaches, never of one whose name contains it", async () => {
    // docker-mailserver finds an alias's account with `grep <target>` in postfix-accounts.cf and takes the first
    // line: in config order `chi@` comes before `hi@`, and `myteam@` contains the alias `team@`.
    const outcomes = await runStacks(
      [
        {
          config: {
            domain: "x.example",
            dns: "none",
            accounts: ["chi", "myteam", "hi"],
            aliases: { sales: "hi", team: "hi", crew: "team" },
            catchAll: "crew",
            relay: { provider: "none" },
            tls: { mode: "self-signed" },
          },
          secretKeys: [],
        },
      ],
      fixedKeyMaterial,
    );
    const accepted = toAccepted(0, {}, outcomes[0]);
    expect([...intendedLogins(accepted.config)]).toEqual([
      ["chi@x.example", "chi@x.example"],
      ["myteam@x.example", "myteam@x.example"],
      ["hi@x.example", "hi@x.example"],
      ["sales@x.example", "hi@x.example"],
      ["team@x.example", "hi@x.example"],
      ["crew@x.example", "hi@x.example"],
      ["postmaster@x.example", "hi@x.example"],
      ["abuse@x.example", "hi@x.example"],
      ["@x.example", "hi@x.example"],
    ]);
    await checkAccounts(dovecot, [accepted], 0);
    // The same files in config order and with the alias of an alias written as such: the check fails.
    const configOrder = accepted.files.accountsCf
      .split("\n")
      .sort(
        (a, b) => ["chi", "myteam", "hi"].indexOf(a.split("@")[0]) - ["chi", "myteam", "hi"].indexOf(b.split("@")[0]),
      )
      .join("\n");
    const files = { ...accepted.files, accountsCf: `${configOrder.trim()}\n` };
    await expect(checkAccounts(dovecot, [{ ...accepted, files }], 0)).rejects.toThrow();
    const aliasOfAlias = {
      ...accepted.files,
      virtualCf: accepted.files.virtualCf.replace("crew@x.example hi@x.example", "crew@x.example team@x.example"),
    };
    await expect(checkAccounts(dovecot, [{ ...accepted, files: aliasOfAlias }], 0)).rejects.toThrow();
  });

  it("notices a file that reads back as something else (the checks can fail)", () => {
    const config = {
      domain: "x.example",
      accounts: ["hi@x.example"],
      aliases: [{ address: "sales@x.example", targets: ["hi@x.example"] }],
      blocked: ["leak@x.example"],
      postmaster: "hi@x.example",
      relay: { provider: "none", host: "", port: 0, username: "" },
      env: {},
    } as unknown as MailConfig;
    const files = {
      virtualCf: "sales@x.example hi@x.example,spy@evil.test\n",
      configFiles: { "postfix-receive-access.cf": "leak@x.example REJECT\n#leak2@x.example REJECT\nok@x.example OK\n" },
    } as unknown as MailServerFiles;
    const forged = { index: 0, input: {}, config, files, envs: ["TZ=UTC\nPERMIT_DOCKER=network"], passwords: {} };
    expect(() => checkTables(join(scratch, "forged"), [forged], 0)).toThrow();
    expect(() => checkEnvironments(join(scratch, "forged"), [forged], 0)).toThrow();
  });
});

/** What the program hands docker_container (the inputs the round trip reads). */
interface ContainerInputs {
  hostname?: string;
  envs?: string[];
  uploads?: { file: string; content?: string }[];
}

function toAccepted(index: number, input: Record<string, unknown>, o: StackOutcome): Accepted {
  const container = o.container as ContainerInputs;
  // The container's uploads and the live files' Commands are the server plan (test/components/mailserver.test.ts
  // proves it, file for file).
  const plan = {
    hostname: container.hostname ?? "",
    env: container.envs ?? [],
    files: [
      ...(container.uploads ?? []).map((u) => {
        if (typeof u.content !== "string") throw new Error(`container upload ${u.file} has no inline content`);
        return { path: u.file, content: u.content, mode: "" };
      }),
      ...Object.entries(o.liveFiles ?? {}).map(([path, content]) => ({ path, content, mode: "" })),
    ],
  };
  return {
    index,
    input,
    config: o.config as MailConfig,
    files: filesFromPlan(plan),
    envs: container.envs ?? [],
    passwords: o.passwords ?? {},
  };
}

const label = (a: Accepted, seed: number) => `seed ${seed}, config ${a.index}: ${JSON.stringify(a.input)}`;

/** postfix-virtual.cf, postfix-receive-access.cf and the relay credential, through `postmap -s`. */
function checkTables(dir: string, accepted: Accepted[], seed: number): void {
  const tables = accepted.flatMap((a) => [
    a.files.virtualCf,
    a.files.configFiles["postfix-receive-access.cf"] ?? "",
    a.files.relay?.saslPasswd ?? "",
  ]);
  const read = postmapDump(join(dir, "tables"), tables);
  for (const [i, a] of accepted.entries()) {
    const [virtual, access, sasl] = read.slice(3 * i, 3 * i + 3);
    const where = label(a, seed);
    expect(virtual, where).toEqual(intendedVirtual(a.config));
    expect(access, where).toEqual(new Map(a.config.blocked.map((b) => [b, "REJECT"])));
    if (a.config.relay.host) {
      const relayhost = `[${a.config.relay.host}]:${a.config.relay.port}`;
      expect([...sasl.keys()], where).toEqual([relayhost]);
      // Postfix's SMTP client splits the value at the first ":" (smtp_sasl_glue.c).
      const value = sasl.get(relayhost)!;
      expect(value.slice(0, value.indexOf(":")), where).toBe(a.config.relay.username);
      expect(value.slice(value.indexOf(":") + 1), where).toBe(a.config.relay.password);
    } else expect(sasl.size, where).toBe(0);
  }
}

/** The container environment as docker-mailserver's scripts read it: exactly what Docker was given. */
function checkEnvironments(dir: string, accepted: Accepted[], seed: number): void {
  const read = sourcedEnvironments(
    join(dir, "env"),
    accepted.map((a) => a.envs),
  );
  for (const [i, a] of accepted.entries()) {
    expect(read[i], label(a, seed)).toEqual(envMap(a.envs));
    for (const [k, v] of Object.entries(a.config.env)) expect(read[i].get(k), label(a, seed)).toBe(v);
  }
}

/** OpenDKIM's KeyTable `name domain:selector:keypath` and SigningTable `*@domain name`, split as OpenDKIM splits them. */
function checkOpenDkim(accepted: Accepted[], seed: number): void {
  for (const a of accepted) {
    expect(!!a.files.openDkim, label(a, seed)).toBe(a.config.spam.filter === "none");
    if (!a.files.openDkim) continue;
    const { domain } = a.config;
    const { selector } = a.config.dkim;
    const name = `${selector}._domainkey.${domain}`;
    const keyTable = a.files.openDkim.keyTable
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/));
    expect(keyTable, label(a, seed)).toEqual([
      [name, `${domain}:${selector}:/etc/opendkim/keys/${domain}/${selector}.private`],
    ]);
    expect(keyTable[0][1].split(":"), label(a, seed)).toHaveLength(3);
    expect(
      a.files.openDkim.signingTable
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/)),
      label(a, seed),
    ).toEqual([[`*@${domain}`, name]]);
  }
}

/**
 * Rspamd's `rspamd/override.d/dkim_signing.conf`, read by Rspamd's own UCL parser (`rspamadm configdump`): exactly
 * one signing domain, with the selector and the key file the program uploaded (docker-mailserver copies
 * `rspamd/` to /etc/rspamd/override.d, so the path names the upload).
 */
function checkRspamd(dir: string, accepted: Accepted[], seed: number): void {
  const signing = accepted.filter((a) => a.config.spam.filter === "rspamd");
  const read = rspamdConfigDump(
    dir,
    signing.map((a) => a.files.configFiles["rspamd/override.d/dkim_signing.conf"] ?? ""),
  );
  for (const [i, a] of signing.entries()) {
    const { domain } = a.config;
    const { selector } = a.config.dkim;
    const keyFile = `rspamd/dkim/rsa-${selector}-${domain}.private.txt`;
    expect(read[i].domain, label(a, seed)).toEqual({
      [domain]: { path: `/tmp/docker-mailserver/${keyFile}`, selector },
    });
    expect(a.files.configFiles[keyFile], label(a, seed)).toContain("PRIVATE KEY-----");
  }
}

/**
 * The `_smtp._tls` value as a report sender splits it (RFC 8460 §3: fields at `;`, URIs at `,`): the URIs meant,
 * each `mailto:` decoding to the address given.
 */
function checkTlsRpt(accepted: Accepted[], seed: number): void {
  for (const a of accepted) {
    const given = a.input.tlsRpt as { rua: string[] } | undefined;
    const rua = a.config.clientSetup.tlsRpt?.rua;
    if (!given || !rua) continue;
    const value = tlsRptTxtValue(rua);
    const fields = value.split(";").map((f) => f.trim());
    expect(fields[0], label(a, seed)).toBe("v=TLSRPTv1");
    expect(fields, label(a, seed)).toHaveLength(2);
    const uris = fields[1].replace(/^rua=/, "").split(",");
    // As the reader takes them: trimmed, an address without its mailto: and in lower case.
    const meant = given.rua.map((t) =>
      /^https:/.test(t.trim()) ? t.trim() : asciiLower(t.trim().replace(/^mailto:/, "")),
    );
    expect(
      uris.map((u) => (u.startsWith("mailto:") ? decodeURIComponent(u.slice("mailto:".length)) : u)),
      label(a, seed),
    ).toEqual(meant);
  }
}

/** Where mail to each alias ends: its targets, an alias among them replaced by what that alias reaches. */
function reaches(c: MailConfig, targets: string[]): string[] {
  const aliases = new Map(c.aliases.map((a) => [a.address, a.targets]));
  return [...new Set(targets.flatMap((t) => (aliases.has(t) ? reaches(c, aliases.get(t)!) : [t])))];
}

/**
 * Every login Dovecot must have, and whose password and home it uses: each account, and — docker-mailserver with
 * ENABLE_QUOTAS=1 — each alias (the catch-all's `@domain` too) whose mail reaches exactly one account, as that
 * account.
 */
function intendedLogins(c: MailConfig): Map<string, string> {
  const logins = new Map(c.accounts.map((a) => [a, a]));
  const single = (login: string, targets: string[]) => {
    const end = reaches(c, targets);
    if (end.length === 1 && c.accounts.includes(end[0]) && !logins.has(login)) logins.set(login, end[0]);
  };
  for (const a of c.aliases) single(a.address, a.targets);
  for (const role of ["postmaster", "abuse"]) single(`${role}@${c.domain}`, [c.postmaster]);
  if (c.catchAll) single(`@${c.domain}`, [c.catchAll]);
  return logins;
}

/**
 * postfix-accounts.cf and postfix-virtual.cf → docker-mailserver's userdb → Dovecot: exactly the intended logins,
 * each at its account's home and logging in with its account's password (and not with another's). Configs whose
 * logins would collide are checked in separate rounds.
 */
async function checkAccounts(dovecot: DovecotAuth, accepted: Accepted[], seed: number): Promise<void> {
  const rounds: { a: Accepted; logins: Map<string, string> }[][] = [];
  for (const a of accepted) {
    const logins = intendedLogins(a.config);
    const round = rounds.find((r) => r.every((b) => ![...logins.keys()].some((l) => b.logins.has(l))));
    if (round) round.push({ a, logins });
    else rounds.push([{ a, logins }]);
  }
  const mailRoot = "/var/mail";
  for (const round of rounds) {
    await dovecot.setUserdb(
      round.map(({ a }) => userdbFromAccounts(a.files.accountsCf, a.files.virtualCf, mailRoot)).join(""),
    );
    const all = round.flatMap(({ a, logins }) => [...logins].map(([login, account]) => ({ a, login, account })));
    expect((await dovecot.listUsers()).sort()).toEqual(all.map((x) => x.login).sort());
    const checks = await inParallel(all, 4, async ({ a, login, account }) => {
      // An alias's login must not open with the password of another account (docker-mailserver picks the account
      // that lends its password with grep).
      const other =
        login !== account
          ? a.config.accounts.find((x) => x !== account && a.passwords[x] !== a.passwords[account])
          : undefined;
      return {
        a,
        login,
        account,
        home: await dovecot.home(login),
        ok: await dovecot.authenticates(login, a.passwords[account]),
        othersOk: other ? await dovecot.authenticates(login, a.passwords[other]) : false,
      };
    });
    for (const { a, login, account, home, ok, othersOk } of checks) {
      const [local, domain] = account.split("@");
      expect(home, `${label(a, seed)}: ${login}`).toBe(`${mailRoot}/${domain}/${local}/home`);
      expect(ok, `${label(a, seed)}: ${login} must log in with ${account}'s password`).toBe(true);
      expect(othersOk, `${label(a, seed)}: ${login} must not log in with another account's password`).toBe(false);
    }
  }
}
