/**
 * Evaluation time of the real program under Pulumi mocks: the prod config and larger ones up to 50 accounts
 * and 2,000 aliases. Prints figures only; growth should be linear in accounts + aliases.
 * Run: npm run bench
 */
import { newStateDir, PROD_CONFIG, runProgram } from "../test/support/run-program";

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
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const accounts = (config.accounts as unknown[]).length;
  const aliases = Object.keys((config.aliases as object) ?? {}).length;
  console.log(
    `${label.padEnd(22)} accounts=${String(accounts).padStart(3)} aliases=${String(aliases).padStart(5)} resources=${String(resources).padStart(4)}  evaluation median ${median(evals).toFixed(0).padStart(5)} ms  (process incl. start-up ${median(walls).toFixed(0)} ms)`,
  );
}

async function main() {
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
