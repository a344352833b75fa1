import { parseArgs } from "node:util";
import { CliIo, processIo } from "./cli";
import { backupResults, findBackupKey } from "./checks/backup";
import { ResticError } from "./net/restic";
import { UsageError } from "./options";
import { InputError, loadPlanned } from "./planned-input";
import { exitCode, renderJson, renderTable, shouldColour } from "./report";
import { fail } from "./types";

export const BACKUP_USAGE = `Usage: mailstack backup status [options]

Reads the backup repository the stack plans (restic snapshots) and reports the last snapshot, its age
and size. It fails when there is none, when it is older than two schedule periods, or when the repository
cannot be read.

Input (one of):
  --planned <file.json>    planned deployment JSON (pulumi stack output --json)
  --stack <name>           run \`pulumi stack output --json --stack <name>\` (and read backupKey from it)
  (stdin)                  the same JSON piped in

Options:
  --repository <repo>      read this repository instead of the planned one, e.g.
                           sftp:root@server:/var/backups/mailstack for a directory on the server
  --timeout <ms>           timeout of each restic command (default 120000)
  --json                   machine-readable output
  --no-color               never colour the output (NO_COLOR is respected too)
  -h, --help               this text

The key and credentials come from the environment:
  MAILSTACK_BACKUP_KEY                              the repository key (else the stack's backupKey with --stack)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY          an S3 repository's credentials
restic must be installed (Debian: apt-get install restic).

Exit status: 0 when the last snapshot is recent, 1 when a check failed, 2 on a usage or input error.`;

function parseBackupOptions(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        planned: { type: "string" },
        stack: { type: "string" },
        repository: { type: "string" },
        timeout: { type: "string" },
        json: { type: "boolean" },
        color: { type: "boolean" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const timeoutMs = v.timeout === undefined ? 120_000 : Number(v.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout must be a positive number of milliseconds, got "${v.timeout}"`);
  if (v.planned && v.stack) throw new UsageError("give either --planned or --stack, not both");
  return { ...v, timeoutMs, color: v["no-color"] ? false : v.color };
}

/** `mailstack backup status [options]`; returns the exit status. */
export async function main(args: string[], io: CliIo = processIo()): Promise<number> {
  const argv = args[0] === "backup" ? args.slice(1) : args;
  if (argv[0] !== "status") {
    io.stderr.write(
      `mailstack backup: ${argv[0] ? `unknown command "${argv[0]}"` : "missing command"}\n\n${BACKUP_USAGE}\n`,
    );
    return argv[0] === "-h" || argv[0] === "--help" ? 0 : 2;
  }
  try {
    const options = parseBackupOptions(argv.slice(1));
    if (options.help) {
      io.stdout.write(`${BACKUP_USAGE}\n`);
      return 0;
    }
    const planned = await loadPlanned({
      plannedFile: options.planned,
      stack: options.stack,
      stdin: io.stdin,
      env: io.env,
    });
    const plan = planned.backup;
    if (!plan)
      throw new InputError("the plan has no backup section: it predates backups; run pulumi up to refresh the outputs");
    const now = io.now ?? new Date();
    let results;
    let last;
    let repository = options.repository;
    if (!plan.enabled) {
      results = [
        fail(
          "Backup",
          "backups",
          "switched off (backup.enabled: false)",
          "Remove backup.enabled: false and run pulumi up.",
        ),
      ];
    } else {
      repository ??= plan.repository;
      const key = await findBackupKey(io.env, options.stack);
      if (!key)
        throw new InputError(
          "no repository key: set MAILSTACK_BACKUP_KEY=$(pulumi stack output backupKey --show-secrets), or pass --stack <name>",
        );
      ({ results, last } = await backupResults(
        plan,
        { repository, options: plan.options, key, env: io.env, timeoutMs: options.timeoutMs },
        now,
      ));
    }
    if (options.json) {
      io.stdout.write(
        renderJson(results, {
          domain: planned.domain,
          repository: repository ?? null,
          host: plan.enabled ? plan.host : null,
          schedule: plan.enabled ? plan.schedule : null,
          timezone: plan.enabled ? plan.timezone : null,
          lastSnapshot: last ?? null,
        }),
      );
    } else {
      const colour = shouldColour(Boolean(io.stdout.isTTY), io.env, options.color);
      const title = plan.enabled
        ? `mailstack backup status: ${planned.domain} → ${repository} (schedule "${plan.schedule}" ${plan.timezone})`
        : `mailstack backup status: ${planned.domain}`;
      io.stdout.write(renderTable(results, { colour, title }));
    }
    return exitCode(results);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mailstack backup status: ${error.message}\n\n${BACKUP_USAGE}\n`);
      return 2;
    }
    if (error instanceof InputError || error instanceof ResticError) {
      io.stderr.write(`mailstack backup status: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
