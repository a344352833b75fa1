import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DNSBL_ZONE, DOMAIN, Lab, MailServers, plannedDeployment, startLab } from "./fixtures/scenario";
import { parseReport, runDoctor } from "./fixtures/run-doctor";

/** The command line: input sources, usage errors, table output, and the `mailstack` launcher. */
let lab: Lab;
let servers: MailServers;
let plannedJson: string;

beforeAll(async () => {
  lab = await startLab();
  servers = await MailServers.start(lab.goodCert, lab.relayCert);
  const { planned, zone } = plannedDeployment(lab.dkimKey, servers.relay.port);
  lab.dns.zone = zone;
  plannedJson = JSON.stringify(planned);
});
afterAll(async () => {
  await servers?.close();
  await lab?.close();
});

const common = () => [
  "--resolver",
  lab.dns.address,
  "--connect",
  "127.0.0.1",
  "--ca",
  lab.caFile,
  "--dnsbl",
  DNSBL_ZONE,
  "--timeout",
  "2000",
  ...servers.portArgs(),
  ...lab.webPortArgs,
];

describe("mailstack doctor command line", () => {
  it("reads the planned deployment from stdin and prints a plain table when not on a terminal", async () => {
    const run = await runDoctor(common(), {}, plannedJson);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `mailstack doctor: ${DOMAIN} (mail.example.test, 127.0.0.2) via resolver ${lab.dns.address}`,
    );
    expect(run.stdout).toMatch(/✓ MX example\.test +10 mail\.example\.test/);
    expect(run.stdout).toMatch(/– SMTP AUTH on 587 +skipped: set MAILSTACK_DOCTOR_USER/);
    expect(run.stdout).not.toContain("\x1b[");
  });

  it("--json and --color behave; a broken zone makes the exit status 1 and prints fix lines", async () => {
    const saved = lab.dns.zone;
    lab.dns.zone = saved.filter((r) => r.type !== "PTR");
    try {
      const table = await runDoctor([...common(), "--color"], {}, plannedJson);
      expect(table.code).toBe(1);
      expect(table.stdout).toContain("\x1b[31m✗");
      expect(table.stdout).toContain(
        "fix:\x1b[0m Ask your server provider to set the reverse DNS (PTR) of 127.0.0.2 to mail.example.test.",
      );
      const json = parseReport(await runDoctor([...common(), "--json"], {}, plannedJson));
      expect(json.ok).toBe(false);
      expect(json.summary.fail).toBe(1);
    } finally {
      lab.dns.zone = saved;
    }
  });

  it("usage and input errors exit 2 with a clear message", async () => {
    expect((await runDoctor(["--help"])).stdout).toContain("Usage: mailstack doctor");
    const badPort = await runDoctor(["--port", "25:2525"], {}, plannedJson);
    expect(badPort).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--port expects <service port>=<port>, got "25:2525"'),
    });
    expect(await runDoctor([], {}, "not json")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("stdin is not JSON"),
    });
    expect(await runDoctor([], {}, '{"domain":"x.test"}')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/hostname: is missing\n {2}- dnsRecords: is missing/),
    });
    expect(await runDoctor(["--planned", join(lab.dir, "absent.json")])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("cannot read"),
    });
  });

  it("--stack without the pulumi CLI says so", async () => {
    const run = await runDoctor(["--stack", "dev"], { PATH: join(lab.dir, "no-bin") });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the pulumi CLI is not installed");
  });

  it("the mailstack launcher runs the doctor through tsx", () => {
    const node = join(process.cwd(), "node_modules/.bin/node");
    const help = spawnSync(node, ["doctor/mailstack.cjs", "doctor", "--help"], { encoding: "utf8", timeout: 30_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: mailstack doctor");
    const noPulumi = spawnSync(node, ["doctor/mailstack.cjs", "doctor", "--stack", "dev"], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, PATH: join(lab.dir, "no-bin") },
    });
    expect(noPulumi.status).toBe(2);
    expect(noPulumi.stderr).toContain("pulumi CLI is not installed");
    const wrongCommand = spawnSync(node, ["doctor/mailstack.cjs", "deploy"], { encoding: "utf8", timeout: 30_000 });
    expect(wrongCommand.status).toBe(2);
    expect(wrongCommand.stderr).toContain('unknown command "deploy"');
  });
});
