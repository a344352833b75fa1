/**
 * Load time of index.ts the way `pulumi up` loads it (Pulumi's nodejs loader, ts-node with swc) against the
 * floor of requiring the bare SDKs; then evaluation time under Pulumi mocks: the prod config and larger ones
 * up to 50 accounts and 2,000 aliases. Prints figures only; growth should be linear in accounts + aliases.
 * Run: npm run bench
 */
import { rmSync } from "node:fs";
import { newStateDir, PROD_CONFIG, PROD_SECRETS, runProgram } from "../test/support/run-program";
import { bareSdkLoad, loadLikePulumi, sdkOnlyProgramLoad } from "../test/support/pulumi-loader";

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

/** Process start to exit, alternating the two so that load on the machine hits both alike. */
async function measureLoad(runs = 7) {
  const floor: number[] = [];
  const loaderFloor: number[] = [];
  const program: number[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(await bareSdkLoad());
    loaderFloor.push(await sdkOnlyProgramLoad());
    program.push((await loadLikePulumi(PROD_CONFIG, PROD_SECRETS)).wallMs);
  }
  const row = (label: string, xs: number[]) =>
    console.log(
      `${label.padEnd(50)} median ${median(xs).toFixed(0).padStart(5)} ms  (min ${Math.min(...xs).toFixed(0)} ms)`,
    );
  console.log(`load time as pulumi up runs it (process start to exit, ${runs} runs each)`);
  row("floor: node requiring the bare SDKs", floor);
  row("floor via Pulumi's loader: index.ts = SDK imports", loaderFloor);
  row("mailstack's index.ts via Pulumi's loader (swc)", program);
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  console.log(
    `ratio to the bare SDKs ${ratio(program, floor)}x, to the SDKs through Pulumi's loader ${ratio(program, loaderFloor)}x\n`,
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
