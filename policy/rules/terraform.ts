import { strings } from "../resources";
import type { Rule } from "../rule";

/** Terraform functions that read the machine running the plan. */
const MACHINE_READING =
  /\b(file|fileexists|fileset|filebase64|filebase64sha256|filebase64sha512|filemd5|filesha1|filesha256|filesha512|templatefile|pathexpand|abspath)\s*\(/;

export const noMachineReadingExpressions: Rule = {
  id: "LS-TF-1",
  severity: "error",
  title:
    "No synthesized attribute holds a Terraform expression that reads files on the machine running the plan.",
  why: "Terraform evaluates `${…}` in JSON strings; such a call in a pull request's plan reads the runner's credentials.",
  fix: "Pass values, not expressions: config strings are refused if they contain `${`, and code must not build file(…) calls.",
  check: ({ resources }) =>
    resources.all.flatMap((r) =>
      [...strings(r.config)]
        .filter(({ text }) => {
          const start = text.indexOf("${");
          return start >= 0 && MACHINE_READING.test(text.slice(start));
        })
        .map(({ path }) => ({
          resource: r.address,
          message: `${path} calls a Terraform function that reads files`,
        })),
    ),
};

export const TERRAFORM_RULES: readonly Rule[] = [noMachineReadingExpressions];
