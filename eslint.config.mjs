import js from "@eslint/js";
import tseslint from "typescript-eslint";

// A namespace import of a provider package loads thousands of classes: seconds and hundreds of MB per synth.
const providerRoots = ["@cdktf/provider-aws", "@cdktf/provider-databricks", "@cdktf/provider-time"];

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "dist/", "**/build/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: providerRoots.map((name) => ({
            name,
            message: `Import the class from its own module, e.g. '${name}/lib/<resource>'.`,
          })),
        },
      ],
      "no-restricted-syntax": [
        "error",
        ...providerRoots.map((name) => ({
          selector: `CallExpression[callee.name='require'][arguments.0.value='${name}']`,
          message: `Require the class from its own module, e.g. '${name}/lib/<resource>'.`,
        })),
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests inspect synthesized Terraform JSON, which has no static type.
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
    languageOptions: {
      globals: {
        module: "writable",
        exports: "writable",
        require: "readonly",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
