/**
 * Runs the project the way `pulumi up` does. Pulumi's nodejs language host starts
 * `node [nodeargs] @pulumi/pulumi/cmd/run --monitor … --pwd <dir> <main>` with the stack's config in
 * PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS, and PULUMI_NODEJS_TYPESCRIPT=true unless Pulumi.yaml turns the
 * runtime option `typescript` off; the parent (pulumi-loader.ts) reads Pulumi.yaml and sets that environment
 * and those arguments. Here only the engine is replaced, by Pulumi's mocks. Plain CommonJS that loads no more of
 * @pulumi/pulumi than the mocks need: the program's own `import "@pulumi/pulumi"` (and the TypeScript compiler
 * it loads) comes after cmd/run has set up its hooks, as under the language host.
 * Usage: node pulumi-loader-child.cjs <input.json> <cmd/run arguments…>; prints one JSON line on exit.
 */
const fs = require("node:fs");
const path = require("node:path");

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const runArgs = process.argv.slice(3);
const arg = (name) => runArgs[runArgs.indexOf(`--${name}`) + 1];

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
    // Resend's sending key comes back with its token, the relay password the container's credentials file holds
    // (the renderer refuses to write a credential it was not given).
    if (args.type === "pulumi-nodejs:dynamic/resend:ResendSendingKey") state.token = "re_minted_sending_key";
    return { id: `${args.name}-id`, state };
  },
  call(args) {
    // The program reads Cloudflare itself (lib/cloudflare): it makes no provider invokes.
    throw new Error(`unexpected invoke ${args.token}`);
  },
};

/** Where Pulumi says each resource was created (the source position it sends the engine), as `file:line:column`. */
const positions = {};
function recordSourcePositions(monitor) {
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const pos = req.getSourceposition();
    if (pos) positions[`${req.getType()}::${req.getName()}`] = `${pos.getUri()}:${pos.getLine()}:${pos.getColumn()}`;
    return register(req, callback);
  };
}

/** The package directory (`node_modules/…`) a loaded file belongs to, relative to the project. */
function packageOf(file) {
  const m = /^(.*?node_modules[/\\](?:@[^/\\]+[/\\])?[^/\\]+)[/\\]/.exec(path.relative(process.cwd(), file));
  return m && m[1].split(path.sep).join("/");
}

process.on("exit", (code) => {
  const cpu = process.cpuUsage();
  const tsNode = process[Symbol.for("ts-node.register.instance")];
  const report = {
    exitCode: code,
    // CPU time (user + system, all threads) from process start, which other load on the machine barely moves.
    cpuMs: (cpu.user + cpu.system) / 1000,
    resources: registered.sort(),
    positions,
    tsNode: tsNode && { swc: !!tsNode.options.swc, transpileOnly: !!tsNode.options.transpileOnly },
    packages: [...new Set(Object.keys(require.cache).map(packageOf).filter(Boolean))].sort(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
});

require("@pulumi/pulumi/runtime/mocks")
  .setMocks(mocks, arg("project"), arg("stack"), false)
  .then(() => {
    // The mock monitor has no shutdown call, which cmd/run makes when the program ends.
    const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
    monitor.signalAndWaitForShutdown = (_request, callback) => callback(null, {});
    recordSourcePositions(monitor);
    process.argv = [process.argv[0], require.resolve("@pulumi/pulumi/cmd/run"), ...runArgs];
    require("@pulumi/pulumi/cmd/run");
  });
