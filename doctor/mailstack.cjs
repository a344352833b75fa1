#!/usr/bin/env node
// The `mailstack` command (package.json "bin"): runs the TypeScript CLIs through the project's tsx, so there is
// no build step. Usage: mailstack doctor [options] | mailstack addresses [options] | mailstack backup status [options]
"use strict";
require("tsx/cjs");

// `mailstack [options]` without a command stays the doctor, as before there were two.
const command = { addresses: "../addresses/cli.ts", backup: "./backup-cli.ts" }[process.argv[2]] ?? "./cli.ts";
const { main } = require(command);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`mailstack: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
