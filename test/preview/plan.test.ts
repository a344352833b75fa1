/**
 * `npm run plan`: the seed's stack printed as stored in prod.plan.txt (regenerate it with
 * MAILSTACK_UPDATE_EXPECTATIONS=1 when the program's plan changes, and read the diff), the local stack, and a
 * stack the program refuses, printed the way `pulumi up` prints the error.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mermaidGraph } from "../../preview/diagram";
import { AFTER_CREATE, known, planStack, StackPlan } from "../../preview/plan";
import { formatPlan } from "../../preview/print";
import { seedProject } from "./seed-project";

const ROOT = path.resolve(__dirname, "../..");
const EXPECTED = path.join(__dirname, "prod.plan.txt");
const seed = seedProject();
let seedPlan: StackPlan;
beforeAll(async () => {
  seedPlan = await planStack(seed, "prod");
});
afterAll(() => fs.rmSync(seed, { recursive: true, force: true }));

/** Where the READMEs hold the graph. */
const GRAPH = /(<!-- graph:begin[^\n]*-->\n)([\s\S]*?)(<!-- graph:end -->)/;

describe("npm run plan", () => {
  it("prints the seed's stack as stored: the tree, the records, the containers and files, the outputs", async () => {
    const text = formatPlan(seedPlan, seed);
    if (process.env.MAILSTACK_UPDATE_EXPECTATIONS === "1") fs.writeFileSync(EXPECTED, text);
    expect(text).toBe(fs.readFileSync(EXPECTED, "utf8"));
  });

  it("masks every secret: no private key, password file or stand-in value is printed", async () => {
    const text = fs.readFileSync(EXPECTED, "utf8");
    const key = fs.readFileSync(path.join(__dirname, "fixtures/certs/mail.qladgk.com.key"), "utf8");
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(key.split("\n")[1]);
    for (const file of [
      "postfix-accounts.cf",
      "postfix-sasl-password.cf",
      "key.pem",
      "rsa-mail-qladgk.com.private.txt",
    ])
      expect(text).toMatch(new RegExp(`${file.replace(/\./g, "\\.")} \\(0600\\): \\[secret\\]`));
    expect(text).toMatch(/passwords +: \[secret\]/);
    expect(text).toMatch(/stand-ins were used for relayPassword, cloudflare:apiToken/);
    // What only exists after a create is not invented: the DKIM key, the image's ID.
    expect(text).toMatch(/TXT +mail\._domainkey\.qladgk\.com +\(known after create\)/);
    expect(text).not.toMatch(/sha256:[0-9a-f]{64}"/);
  });

  it("plans the local stack: no cloud resource, records for you to publish, no warning", async () => {
    const plan = await planStack(ROOT, "local");
    expect(plan.error).toBeUndefined();
    expect(plan.diagnostics).toEqual([]);
    expect(plan.resources.filter((r) => /^cloudflare:|^pulumi-nodejs:dynamic/.test(r.type))).toEqual([]);
    const text = formatPlan(plan, ROOT);
    expect(text).toContain("DNS records (11) for you to publish (dns: none;");
    expect(text).toContain("Container mailstack-server-container, on the local Docker engine:");
    expect(text).not.toContain("Cloudflare zone");
  });

  it("shows the program's error as pulumi up does, and exits 1 (the repository's prod stack, no secrets set)", async () => {
    const run = await promisify(execFile)(
      path.join(ROOT, "node_modules/.bin/tsx"),
      [path.join(ROOT, "preview/cli.ts"), "--stack", "prod"],
      { cwd: ROOT },
    ).then(
      () => ({ code: 0, stdout: "" }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ \+ {3}pulumi:pulumi:Stack +mailstack-prod +create +1 error\n/);
    expect(run.stdout).toContain(
      [
        "Diagnostics:",
        "  pulumi:pulumi:Stack (mailstack-prod):",
        "    error: mailstack: invalid configuration, nothing was changed:",
        "      - cloudflare:apiToken is not set;",
      ].join("\n"),
    );
    expect(run.stdout).toMatch(
      /^ {6}- mailstack:relayPassword is required for the resend relay: pulumi config set --secret relayPassword/m,
    );
    expect(run.stdout).toMatch(
      /^ {6}- mailstack:tls\.certFile names "certs\/mail\.qladgk\.com\.crt", which cannot be read/m,
    );
  });
});

describe("the README's graph", () => {
  it("is the seed's plan as a Mermaid flowchart, in both READMEs", () => {
    const block = "```mermaid\n" + mermaidGraph(seedPlan.resources) + "```\n";
    for (const readme of ["README.md", "README.zh-CN.md"]) {
      const file = path.join(ROOT, readme);
      const text = fs.readFileSync(file, "utf8");
      if (process.env.MAILSTACK_UPDATE_EXPECTATIONS === "1")
        fs.writeFileSync(
          file,
          text.replace(GRAPH, (_, begin, _old, end) => begin + block + end),
        );
      const current = GRAPH.exec(fs.readFileSync(file, "utf8"));
      expect(current, `${readme} has no <!-- graph:begin --> … <!-- graph:end --> block`).not.toBeNull();
      expect(
        current![2],
        `${readme}'s graph is stale: MAILSTACK_UPDATE_EXPECTATIONS=1 npx vitest run test/preview`,
      ).toBe(block);
    }
  });

  it("draws every resource of a component inside it and every dependency between resources", () => {
    const graph = mermaidGraph(seedPlan.resources);
    expect(graph).toContain('subgraph mailstack_server["MailServer mailstack-server"]');
    expect(graph).toContain("mailstack_dkim_key --> mailstack_dns_txt_mail__domainkey_qladgk_com");
    expect(graph).toContain("mailstack_server_mail_data --> mailstack_backup_container");
    // Every resource a provider makes (components are the boxes, drawn only when they hold some).
    const nodes = seedPlan.resources.filter((r) => !r.type.startsWith("mailstack:"));
    for (const r of nodes) expect(graph).toContain(`${r.name.replace(/[^A-Za-z0-9]/g, "_")}["`);
  });
});

describe("known before a create", () => {
  it("keeps what two runs agree on, line by line in text, member by member in objects and lists", () => {
    expect(known({ a: 1, b: ["x", "y"], t: "k\nv1" }, { a: 1, b: ["x", "z"], t: "k\nv2" })).toEqual({
      a: 1,
      b: ["x", AFTER_CREATE],
      t: `k\n${AFTER_CREATE}`,
    });
    expect(known("one line", "another")).toBe(AFTER_CREATE);
    expect(known([1, 2], [1])).toBe(AFTER_CREATE);
  });
});
