/*
 * Run inside a production install (`npm ci --omit=dev`) by test/production-install.test.ts, with the install's
 * own @pulumi/pulumi: loads index.ts through Pulumi's nodejs loader itself (cmd/run/run.js `run`, the code the
 * `pulumi-language-nodejs` host runs), under preview mocks, and prints one JSON line: what the loader resolved
 * and every package the program loaded. Plain CommonJS: a production install has no tsx to run TypeScript.
 */
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const root = process.cwd();
const before = new Set(Object.keys(require.cache));

async function main() {
  // What the nodejs language host sets for a TypeScript project (its `typescript` option defaults to true).
  process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
  const pulumi = require("@pulumi/pulumi");
  const tsutils = require("@pulumi/pulumi/tsutils");
  const resolved = tsutils.typeScriptRequireStrings();

  const config = JSON.parse(process.env.MAILSTACK_TEST_CONFIG);
  const secrets = JSON.parse(process.env.MAILSTACK_TEST_SECRETS);
  pulumi.runtime.setAllConfig(config, secrets);
  const registered = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push(args.type);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "mailstack",
    "prod",
    true,
  );

  // run.js reads one constant from its sibling index.js, the language host's `main`, which parses argv and
  // dials the engine when loaded; stand in for that module so `run` drives the program against the mocks.
  const hostMain = require.resolve("@pulumi/pulumi/cmd/run/index.js");
  require.cache[hostMain] = {
    id: hostMain,
    filename: hostMain,
    loaded: true,
    exports: { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 },
  };
  const { run } = require("@pulumi/pulumi/cmd/run/run");
  await run(
    { _: ["."] },
    () => {},
    () => {},
    () => false,
  );
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();

  // Every package directory a module was loaded from: the loader, the program and what they required.
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    if (before.has(file)) continue;
    const m = /^(.*?node_modules[/\\](?:@[^/\\]+[/\\])?[^/\\]+)[/\\]/.exec(path.relative(root, file));
    if (m) packages.add(m[1].split(path.sep).join("/"));
  }
  const version = (request) => {
    try {
      let dir = path.dirname(require.resolve(request));
      while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
      return require(path.join(dir, "package.json")).version;
    } catch {
      return undefined;
    }
  };
  return {
    typescriptRequire: resolved.typescriptRequire,
    tsnodeRequire: resolved.tsnodeRequire,
    typescriptVersion: version(resolved.typescriptRequire),
    tsnodeVersion: version(resolved.tsnodeRequire),
    packages: [...packages].sort(),
    registered: [...new Set(registered)].sort(),
  };
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`${e && e.stack ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
