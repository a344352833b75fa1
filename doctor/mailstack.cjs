#!/usr/bin/env node
// The `mailstack` command (package.json "bin"): runs the TypeScript CLI through the project's tsx,
// so there is no build step. Usage: mailstack doctor [options]
"use strict";
require("tsx/cjs");
const { main } = require("./cli.ts");

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`mailstack: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
