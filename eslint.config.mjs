// Lint rules for the whole project: typescript-eslint's recommended set, with the few rules our code needs
// relaxed (tests read mocked Pulumi inputs as `any`; empty catch blocks carry a comment that says why).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The client-setup Worker runs in Cloudflare's Workers runtime, whose globals are the Fetch API's.
    files: ["lib/well-known/worker-handler.mjs"],
    languageOptions: {
      globals: {
        Request: "readonly",
        Response: "readonly",
        URL: "readonly",
        TextEncoder: "readonly",
        crypto: "readonly",
      },
    },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
);
