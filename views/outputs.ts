/**
 * What the last deploys reported: the outputs file that `lakestack deploy` records (`terraform output
 * -json` per environment, `{ "<env>": { "<output>": { value, sensitive } } }`; `cdktf deploy <env>
 * --outputs-file .lakestack/outputs.json` writes plain values), read per environment with sensitive
 * outputs withheld.
 */
import { existsSync, readFileSync } from "node:fs";

export const DEFAULT_OUTPUTS_FILE = ".lakestack/outputs.json";

/**
 * Output names never shown, whatever the file says: a recipient's activation URL hands out the share's
 * credential and the Databricks provider does not mark it sensitive.
 */
const SENSITIVE_NAME = /(ActivationUrl|SharingCode|Secret|Token|Password)$/i;

export interface EnvironmentOutputs {
  readonly env: string;
  /** The file has this environment: it was deployed with outputs written here. */
  readonly deployed: boolean;
  /** Output name → value, sensitive ones left out. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Names of outputs left out because they are sensitive. */
  readonly withheld: readonly string[];
}

export interface OutputsSummary {
  readonly file: string;
  /** The file exists. */
  readonly present: boolean;
  /** Why the file could not be used, when it exists but is not an outputs file. */
  readonly problem?: string;
  readonly environments: readonly EnvironmentOutputs[];
  /** Every environment the file has outputs for, asked about or not, in the file's order. */
  readonly deployed: readonly string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `terraform output -json` entries carry their own sensitivity: `{ value, type, sensitive }`. */
function isTerraformOutputEntry(value: unknown): value is { value: unknown; sensitive: boolean } {
  return isPlainObject(value) && "value" in value && typeof value.sensitive === "boolean";
}

function environmentOutputs(env: string, entries: unknown): EnvironmentOutputs {
  if (!isPlainObject(entries)) return { env, deployed: false, outputs: {}, withheld: [] };
  const shown: [string, unknown][] = [];
  const withheld: string[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const sensitive = SENSITIVE_NAME.test(name) || (isTerraformOutputEntry(entry) && entry.sensitive);
    if (sensitive) withheld.push(name);
    else shown.push([name, isTerraformOutputEntry(entry) ? entry.value : entry]);
  }
  return { env, deployed: true, outputs: Object.fromEntries(shown), withheld };
}

/** Reads an outputs file's text; pure, so `envs` and tests share it. */
export function summarizeOutputs(file: string, text: string, envNames: readonly string[]): OutputsSummary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return problem(file, envNames, "is not valid JSON");
  }
  if (!isPlainObject(parsed)) return problem(file, envNames, "is not a JSON object of environments");
  return {
    file,
    present: true,
    environments: envNames.map((env) =>
      environmentOutputs(env, Object.hasOwn(parsed, env) ? parsed[env] : undefined),
    ),
    deployed: Object.keys(parsed).filter((env) => isPlainObject(parsed[env])),
  };
}

function problem(file: string, envNames: readonly string[], what: string): OutputsSummary {
  return {
    file,
    present: true,
    problem: `${file} ${what}; delete it or deploy again to rewrite it`,
    environments: envNames.map((env) => environmentOutputs(env, undefined)),
    deployed: [],
  };
}

/**
 * Per-environment outputs from the outputs file (usually {@link DEFAULT_OUTPUTS_FILE}), when there
 * is one. Never throws for a missing or malformed file: the summary says so instead.
 */
export function outputsSummary(outputsFile: string, envNames: readonly string[]): OutputsSummary {
  if (!existsSync(outputsFile)) {
    return {
      file: outputsFile,
      present: false,
      environments: envNames.map((env) => environmentOutputs(env, undefined)),
      deployed: [],
    };
  }
  let text: string;
  try {
    text = readFileSync(outputsFile, "utf8");
  } catch (error) {
    return problem(outputsFile, envNames, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return summarizeOutputs(outputsFile, text, envNames);
}

/** One deployed environment's outputs; a missing file or environment is the user's to fix (`hint` says how). */
export function deployedOutputs(
  outputsFile: string,
  env: string,
  hint = `run \`lakestack deploy --env ${env}\``,
): Readonly<Record<string, unknown>> {
  const summary = outputsSummary(outputsFile, [env]);
  if (!summary.present) throw new OutputsError(`no deploy outputs at ${outputsFile}: ${hint}`);
  if (summary.problem) throw new OutputsError(summary.problem);
  const [outputs] = summary.environments;
  if (!outputs.deployed) {
    const found = summary.deployed.join(", ") || "none";
    throw new OutputsError(
      `${outputsFile} has no outputs for environment "${env}" (found: ${found}): ${hint}`,
    );
  }
  return outputs.outputs;
}

/** The outputs file is missing, unreadable or lacks what a command needs. */
export class OutputsError extends Error {}

/** A non-empty string output, or undefined when the environment has none (e.g. no warehouse). */
export function outputString(
  outputs: Readonly<Record<string, unknown>>,
  name: string,
  where: string,
): string | undefined {
  const value = outputs[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "")
    throw new OutputsError(`${where}.${name} must be a non-empty string`);
  return value;
}
