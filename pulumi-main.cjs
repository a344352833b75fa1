/**
 * The program as `pulumi up` starts it: Pulumi.yaml names this file as `main` and turns the nodejs runtime's
 * `typescript` option off, so Pulumi's loader (@pulumi/pulumi/cmd/run) requires it as plain JavaScript and this
 * file sets up TypeScript and stack traces itself, then hands over to index.ts. `npm run bench` prints what it
 * costs against its floors; test/pulumi-loader.test.ts runs it through cmd/run as the language host does.
 */
const path = require("node:path");
const { setSourceMapsSupport } = require("node:module");

if (!setSourceMapsSupport)
  throw new Error(
    `mailstack needs Node.js 22.19 or newer (this is ${process.version}): run Pulumi through npm ` +
      "(`npm run pulumi -- up`), which puts the Node the project brings first on PATH.",
  );

// ts-node as Pulumi's loader registers it, with tsconfig.json: transpile-only (`tsc --noEmit` in `npm test`
// checks the types) and swc from tsconfig's "ts-node" section.
require("ts-node").register({ project: path.join(__dirname, "tsconfig.json"), transpileOnly: true });

// Pulumi formats a full stack trace (Error.stackTraceLimit = Infinity) for every resource it registers, to send
// the engine where the resource was created. Formatted by source-map-support (installed by cmd/run, then by
// ts-node), every frame in node_modules had its package's source map read and parsed: about a fifth of a run's
// CPU time, for positions in .ts files those packages do not even ship. Node's own formatter maps this
// project's frames from ts-node's inline source maps and leaves node_modules' frames as they are.
setSourceMapsSupport(true, { nodeModules: false });
Error.prepareStackTrace = undefined;

module.exports = require("./index.ts");
