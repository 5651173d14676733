/**
 * ESLint for the whole repository, run once from the root by `npm run lint` (scripts/lint.ts), and so by `npm test`.
 *
 * Type-aware: every file is linted with the types of one program over all workspaces (tsconfig.lint.json). The rules
 * find defects, not style: there is no formatter here and no formatting rule.
 */
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/** Test code, the end-to-end suite and the Vitest configurations. */
const tests = ["**/tests/**/*.ts", "**/*.test.ts", "**/vitest.config.ts", "vitest.shared.ts"];

export default defineConfig(
  {
    // Generated or downloaded output, and run-time data: not source.
    ignores: ["**/node_modules/", "**/dist/", "reports/", "coverage/", ".turbo/", ".data/", ".tools/", "bench/results/"],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: "./tsconfig.lint.json",
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Already on through recommendedTypeChecked, named here because they are why this linter runs: a promise that
      // nobody awaits or catches, a promise where a callback's result is ignored, `await` on a non-promise.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // Inside try, a returned promise must be awaited, or its rejection escapes the catch and finally.
      "@typescript-eslint/return-await": ["error", "in-try-catch"],
      // A switch over a union names every member, or says what the rest do (default).
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      // The CLIs (npm start, npm run token, audit:verify, the bench) print to the console; services log with pino.
      "no-console": "off",
      // A leading underscore marks a deliberately unused binding: a rest sibling that drops keys, a parameter that a
      // signature requires.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // The project's rule "no `as any`", everywhere (tests included).
      "no-restricted-syntax": ["error", { selector: "TSAsExpression > TSAnyKeyword", message: "No `as any`: narrow the type or use unknown." }],
      // Off, on purpose:
      // - require-await: an async function without await is how an implementation of a Promise-returning interface
      //   turns a throw into a rejection; every finding here was such an implementation.
      "@typescript-eslint/require-await": "off",
      // - unbound-method: objects here are built from closures, not classes with `this`; the rule cannot see that
      //   and flagged only interface methods implemented by arrow functions.
      "@typescript-eslint/unbound-method": "off",
      // - no-unnecessary-condition is not on: measured over src/, nine in ten findings were defensive checks on
      //   values whose declared types are narrower than what arrives at run time (JSON.stringify can return
      //   undefined; request parameters can be null; flags set inside callbacks).
    },
  },
  {
    files: tests,
    rules: {
      // Tests read untyped JSON from real HTTP responses and let their assertions check the shape.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
