/**
 * Runs index.ts the way `pulumi up` does: through @pulumi/pulumi/cmd/run, the entry the nodejs language host
 * starts. It reads tsconfig.json, registers ts-node (transpile-only because of `noCheck`, with swc from the
 * `ts-node` section) and requires the program. Only the engine is replaced, by Pulumi's mocks. Plain
 * CommonJS on purpose: nothing may be transpiled before Pulumi's own loader runs.
 * Usage: node pulumi-loader-child.cjs <input.json>; prints one JSON line on exit.
 */
const fs = require("node:fs");
const path = require("node:path");

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
// What the language host sets for a TypeScript project (Pulumi.yaml runtime nodejs, typescript default true).
process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
const pulumi = require("@pulumi/pulumi");

const ns = (k) => (k.includes(":") ? k : `mailstack:${k}`);
const values = {};
for (const [k, v] of Object.entries(input.config))
  if (v !== undefined) values[ns(k)] = typeof v === "string" ? v : JSON.stringify(v);
pulumi.runtime.setAllConfig(values, input.secretKeys.map(ns));

/** Mocks that answer like the providers would, with fixed key material from the parent. */
const registered = [];
const mocks = {
  newResource(args) {
    registered.push(`${args.type}::${args.name}`);
    const state = { ...args.inputs };
    if (args.type === "tls:index/privateKey:PrivateKey") Object.assign(state, input.rsaKey);
    if (args.type === "random:index/randomPassword:RandomPassword") state.result = "generated-Password-1";
    if (args.type === "docker:index/remoteImage:RemoteImage") state.imageId = "sha256:0";
    if (args.type === "tls:index/selfSignedCert:SelfSignedCert") state.certPem = input.certPem;
    return { id: `${args.name}-id`, state };
  },
  call(args) {
    // The program reads Cloudflare itself (lib/cloudflare): it makes no provider invokes.
    throw new Error(`unexpected invoke ${args.token}`);
  },
};

/** The package directory (`node_modules/…`) a loaded file belongs to, relative to the project. */
function packageOf(file) {
  const m = /^(.*?node_modules[/\\](?:@[^/\\]+[/\\])?[^/\\]+)[/\\]/.exec(path.relative(process.cwd(), file));
  return m && m[1].split(path.sep).join("/");
}
function versionOf(request) {
  try {
    let dir = path.dirname(require.resolve(request));
    while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

process.on("exit", (code) => {
  const tsNode = process[Symbol.for("ts-node.register.instance")];
  // What Pulumi's loader resolved (it falls back to its vendored TypeScript 3.8 / ts-node 7 when missing).
  const resolved = require("@pulumi/pulumi/tsutils").typeScriptRequireStrings();
  const report = {
    exitCode: code,
    // Process start to exit, measured inside the process (excludes the node binary's own start-up).
    ms: performance.now(),
    resources: registered.sort(),
    tsNode: tsNode && { swc: !!tsNode.options.swc, transpileOnly: !!tsNode.options.transpileOnly },
    typescript: {
      ...resolved,
      typescriptVersion: versionOf(resolved.typescriptRequire),
      tsnodeVersion: versionOf(resolved.tsnodeRequire),
    },
    packages: [...new Set(Object.keys(require.cache).map(packageOf).filter(Boolean))].sort(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
});

// The project directory Pulumi runs in (Pulumi.yaml's): cmd/run reads tsconfig.json and package.json from it.
if (input.projectDir) process.chdir(input.projectDir);
pulumi.runtime.setMocks(mocks, "mailstack", "load", false).then(() => {
  // The mock monitor has no shutdown call, which cmd/run makes when the program ends.
  pulumi.runtime.getMonitor().signalAndWaitForShutdown = (_request, callback) => callback(null, {});
  process.argv = [process.argv[0], require.resolve("@pulumi/pulumi/cmd/run"), "--monitor=mock", "."];
  require("@pulumi/pulumi/cmd/run");
});
