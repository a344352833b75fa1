import { defineConfig } from "vitest/config";
import { COMMON, DAEMON_SUITES } from "./test/support/suites";

// `npm run test:daemons`: the suites that run the real mail daemons (root, Debian's packages). They are
// required here: a missing daemon fails the suite, naming what to install, instead of skipping it.
process.env.MAILSTACK_REQUIRE_DAEMONS = "1";

export default defineConfig({ test: { ...COMMON, include: DAEMON_SUITES } });
