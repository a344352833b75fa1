import { defineConfig } from "vitest/config";
import { COMMON, DAEMON_SUITES, daemonsIncluded, DaemonSuitesNotice } from "./test/support/suites";

// `npm test`: everything that needs no root; `npm run test:daemons` (vitest.daemons.config.ts): the suites
// that run the real mail daemons. `MAILSTACK_REQUIRE_DAEMONS=1 npm test` runs both.
export default defineConfig({
  test: {
    ...COMMON,
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", ...(daemonsIncluded() ? [] : DAEMON_SUITES)],
    reporters: ["default", new DaemonSuitesNotice()],
  },
});
