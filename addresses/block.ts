import { isAddress } from "../lib/mail-syntax";
import { InputError } from "../doctor/planned-input";
import { AddressBook } from "./address-book";
import { runPulumi, shellQuote, stackArgs } from "../doctor/pulumi-cli";

const WHEN_MISSING = "run the pulumi commands that mailstack addresses prints where it is installed";

/**
 * Blocking an address is one config change, `blocked[N] = address` with N the length of the stack's current
 * list (`pulumi config set --path` appends at index == length and refuses a larger one: Pulumi's
 * sdk/go/common/resource/config/map.go, setValue), then `pulumi up`, which rewrites postfix-receive-access.cf.
 */
export function blockCommand(address: string, index: number, stack?: string, list = "blocked"): string {
  return [
    "pulumi config set --path",
    `'${list}[${index}]'`,
    shellQuote(address),
    ...stackArgs(stack).map(shellQuote),
  ].join(" ");
}

export const upCommand = (stack?: string) => ["pulumi up", ...stackArgs(stack).map(shellQuote)].join(" ");

/**
 * The stack config's `blocked` list as written (local parts or addresses), from `pulumi config get blocked
 * --json`: `{"value": "[…]", "objectValue": […], "secret": false}` (pkg/cmd/pulumi/config/config_get.go). An
 * unset key is an empty list; anything but a list is refused before it could be overwritten. `list`
 * `domains[i].blocked` reads that entry of `domains`.
 */
export async function configuredBlocked(
  stack: string | undefined,
  env: Record<string, string | undefined>,
  list = "blocked",
) {
  const entry = /^domains\[(\d+)\]\.blocked$/.exec(list);
  const key = entry ? "domains" : "blocked";
  const run = await runPulumi(["config", "get", key, "--json", ...stackArgs(stack)], env, {
    whenMissing: WHEN_MISSING,
  });
  if (run.code !== 0) {
    if (/configuration key '[^']*' not found/.test(run.stderr)) return [];
    throw new InputError(`pulumi config get ${key} --json failed (exit ${run.code}): ${run.stderr.trim()}`);
  }
  let parsed: { objectValue?: unknown; value?: string; secret?: boolean };
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    throw new InputError(`pulumi config get ${key} --json printed no JSON: ${run.stdout.slice(0, 200)}`);
  }
  let value = parsed.objectValue ?? (parsed.value === undefined || parsed.value === "" ? [] : parsed.value);
  if (entry) {
    const domains = Array.isArray(value) ? value : [];
    const at = domains[Number(entry[1])] as { blocked?: unknown } | undefined;
    if (!at || typeof at !== "object")
      throw new InputError(
        `mailstack:domains in the stack config has no entry ${entry[1]}; run pulumi up to refresh the outputs`,
      );
    value = at.blocked ?? [];
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    throw new InputError(
      `mailstack:${list} in the stack config is not a list of addresses (${parsed.secret ? "a secret" : JSON.stringify(value)}); fix it first, e.g. pulumi config rm ${list}`,
    );
  return value as string[];
}

/** `bilibili` → `bilibili@<domain>` when there is one domain; checks what the stack config would refuse. */
export function blockTarget(input: string, book: AddressBook): string {
  const raw = input.trim().toLowerCase();
  if (!raw.includes("@") && book.domains.length !== 1)
    throw new InputError(`--block ${input}: give the full address (this server has ${book.domains.join(", ")})`);
  const address = raw.includes("@") ? raw : `${raw}@${book.domains[0]}`;
  if (!isAddress(address, "tagged")) throw new InputError(`--block ${input}: not a valid address`);
  const { kind, domain } = book.info(address);
  if (!book.domains.includes(domain))
    throw new InputError(
      `--block ${input}: not at ${book.domains.join(", ")}; only mail to this server's domains can be refused`,
    );
  if (kind === "account")
    throw new InputError(
      `--block ${input}: ${address} is an account; blocking it would refuse all its mail (mailstack:blocked does not accept accounts)`,
    );
  return address;
}

/** Adds the address to the stack's `blocked` list with the Pulumi CLI, then runs `pulumi up` on the terminal. */
export async function blockAddress(o: {
  address: string;
  book: AddressBook;
  stack?: string;
  env: Record<string, string | undefined>;
  say: (text: string) => void;
}): Promise<number> {
  const domain = o.address.slice(o.address.lastIndexOf("@") + 1);
  const list = o.book.blockedListOf(domain);
  const current = await configuredBlocked(o.stack, o.env, list);
  const full = (entry: string) => {
    const e = entry.trim().toLowerCase();
    return e.includes("@") ? e : `${e}@${list === "blocked" ? o.book.domains[0] : domain}`;
  };
  if (current.map(full).includes(o.address)) {
    o.say(`${o.address} is already in mailstack:${list}; if it still receives mail, run: ${upCommand(o.stack)}\n`);
    return 0;
  }
  const index = current.length;
  const set = await runPulumi(
    ["config", "set", "--path", `${list}[${index}]`, o.address, ...stackArgs(o.stack)],
    o.env,
    { whenMissing: WHEN_MISSING },
  );
  if (set.code !== 0)
    throw new InputError(
      `${blockCommand(o.address, index, o.stack, list)} failed (exit ${set.code}): ${set.stderr.trim()}`,
    );
  o.say(`Added ${o.address} as mailstack:${list}[${index}]. Running ${upCommand(o.stack)}:\n`);
  const up = await runPulumi(["up", ...stackArgs(o.stack)], o.env, { whenMissing: WHEN_MISSING, interactive: true });
  if (up.code === 0) {
    o.say(`${o.address} is blocked: the server refuses mail to it at RCPT time (554 5.7.1).\n`);
    return 0;
  }
  o.say(
    `pulumi up did not complete (exit ${up.code}); the stack config lists ${o.address} in blocked, the server does not refuse it yet.\n` +
      `Apply it with: ${upCommand(o.stack)}   or undo it with: pulumi config rm --path '${list}[${index}]'${o.stack ? ` --stack ${shellQuote(o.stack)}` : ""}\n`,
  );
  return 1;
}
