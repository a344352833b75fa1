/**
 * Load time of the program the way `pulumi up` runs it (Pulumi's nodejs loader starting pulumi-main.cjs, which
 * registers ts-node with swc) against two floors: requiring the bare SDKs, and Pulumi's loader running a program
 * that only requires them; then evaluation time under Pulumi mocks: the prod config and larger ones
 * up to 50 accounts and 2,000 aliases. Prints figures only; growth should be linear in accounts + aliases.
 * Run: npm run bench
 */
import { rmSync } from "node:fs";
import { newStateDir, PROD_CONFIG, PROD_SECRETS, runProgram } from "../test/support/run-program";
import { bareSdkLoad, loadLikePulumi, sdkOnlyProgramLoad, Timing } from "../test/support/pulumi-loader";

function largeConfig(accounts: number, aliases: number): Record<string, unknown> {
  const names = Array.from({ length: accounts }, (_, i) => `user${i}`);
  const aliasMap = Object.fromEntries(Array.from({ length: aliases }, (_, i) => [`site${i}`, names[i % accounts]]));
  return { ...PROD_CONFIG, accounts: names, catchAll: names[0], aliases: aliasMap };
}

async function measure(label: string, config: Record<string, unknown>, runs = 3) {
  const state = newStateDir(); // same state for every run: the first creates keys, later ones read them back
  const evals: number[] = [];
  const walls: number[] = [];
  let resources = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const run = await runProgram(config, { stateDir: state });
    walls.push(performance.now() - t);
    evals.push(run.evaluationMs);
    resources = run.resources.length;
  }
  rmSync(state, { recursive: true, force: true });
  const accounts = (config.accounts as unknown[]).length;
  const aliases = Object.keys((config.aliases as object) ?? {}).length;
  console.log(
    `${label.padEnd(22)} accounts=${String(accounts).padStart(3)} aliases=${String(aliases).padStart(5)} resources=${String(resources).padStart(4)}  evaluation median ${median(evals).toFixed(0).padStart(5)} ms  (process incl. start-up ${median(walls).toFixed(0)} ms)`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Process start to exit, the three alternating so that load on the machine hits them alike. Wall time is what
 * `pulumi up` waits for; CPU time (user + system) barely moves with other load on the machine.
 */
async function measureLoad(runs = 9) {
  const rows: [string, Timing[]][] = [
    ["floor: node requiring the bare SDKs", []],
    ["floor via Pulumi's loader: a program = SDK requires", []],
    ["mailstack via Pulumi's loader (pulumi-main.cjs)", []],
  ];
  for (let i = 0; i < runs; i++) {
    rows[0][1].push(await bareSdkLoad());
    rows[1][1].push(await sdkOnlyProgramLoad());
    rows[2][1].push(await loadLikePulumi(PROD_CONFIG, PROD_SECRETS));
  }
  const stat = (xs: number[]) =>
    `median ${median(xs).toFixed(0).padStart(5)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(`load time as pulumi up runs it, prod config: process start to exit, ${runs} runs each`);
  for (const [label, ts] of rows)
    console.log(`${label.padEnd(52)} wall ${stat(ts.map((t) => t.wallMs))}   cpu ${stat(ts.map((t) => t.cpuMs))}`);
  const [floor, loaderFloor, program] = rows.map(([, ts]) => ts);
  const ratio = (a: Timing[], b: Timing[], k: keyof Timing) =>
    (median(a.map((t) => t[k])) / median(b.map((t) => t[k]))).toFixed(2);
  console.log(
    `mailstack / bare SDKs: wall ${ratio(program, floor, "wallMs")}x, cpu ${ratio(program, floor, "cpuMs")}x;` +
      ` Pulumi's loader alone / bare SDKs: wall ${ratio(loaderFloor, floor, "wallMs")}x, cpu ${ratio(loaderFloor, floor, "cpuMs")}x;` +
      ` mailstack / Pulumi's loader alone: wall ${ratio(program, loaderFloor, "wallMs")}x, cpu ${ratio(program, loaderFloor, "cpuMs")}x\n`,
  );
}

async function main() {
  await measureLoad();
  console.log(`mailstack evaluation under mocks (node ${process.version}, median of 3 runs)`);
  await measure("prod", PROD_CONFIG);
  await measure("medium", largeConfig(10, 500));
  await measure("large (half)", largeConfig(25, 1000));
  await measure("large", largeConfig(50, 2000));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
