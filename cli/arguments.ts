/** Parsers for option values, shared by the commands that take them; each refuses a bad value in commander's words. */
import { InvalidArgumentError, Option } from "commander";
import { TERRAFORM_BINARY_ENV } from "../plan";

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

export function httpUrl(value: string): string {
  if (!isHttpUrl(value)) throw new InvalidArgumentError("expected an http(s) URL.");
  return value;
}

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return parsed;
  };
}

export function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
    }
    return parsed;
  };
}

/** `--tf-bin`, for every command that runs Terraform. */
export function tfBinOption(): Option {
  return new Option(
    "--tf-bin <binary>",
    `terraform or tofu (default: $${TERRAFORM_BINARY_ENV}, else terraform)`,
  );
}
