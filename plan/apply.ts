/**
 * The second half of a deploy or destroy: `apply` of exactly the saved plan that was guarded (Terraform
 * refuses it when the state moved on since), then `output -json`, kept for the commands that read it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  DEFAULT_LOCK_TIMEOUT,
  PLAN_FILE_NAME,
  stepContext,
  terraformStep,
  type TerraformTarget,
} from "./run-plan";

export { failureLines, type TerraformTarget } from "./run-plan";

export interface ApplyOptions extends TerraformTarget {
  /** How long to wait for the state lock. @default "5m" */
  readonly lockTimeout?: string;
}

/** `apply -input=false -lock-timeout=<t> tfplan`: a saved plan applies without asking. */
export async function applySavedPlan(options: ApplyOptions): Promise<void> {
  await terraformStep(
    stepContext(options),
    ["apply", "-input=false", `-lock-timeout=${options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT}`, PLAN_FILE_NAME],
    { acceptedExitCodes: [0] },
  );
}

/** One `terraform output -json` entry. */
export interface TerraformOutputEntry {
  readonly value: unknown;
  readonly type?: unknown;
  readonly sensitive: boolean;
}

/**
 * `terraform output -json` of the stack, with every sensitive value replaced by null: the command prints
 * them in clear (a recipient's activation link, for one), and nothing here may keep or show them.
 */
export async function terraformOutputs(
  options: TerraformTarget,
): Promise<Record<string, TerraformOutputEntry>> {
  const run = await terraformStep(stepContext(options), ["output", "-json"], {
    acceptedExitCodes: [0],
    captureStdout: true,
  });
  const parsed = JSON.parse(run.stdout || "{}") as Record<string, TerraformOutputEntry>;
  return Object.fromEntries(
    Object.entries(parsed).map(([name, entry]) => [
      name,
      entry.sensitive ? { ...entry, value: null } : entry,
    ]),
  );
}

/** The outputs file's environments; a missing or foreign file counts as none. */
function readAll(file: string): Record<string, unknown> {
  try {
    const existing: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (existing && typeof existing === "object" && !Array.isArray(existing)) {
      return existing as Record<string, unknown>;
    }
  } catch {
    // No file yet, or one that is not an outputs file: start afresh.
  }
  return {};
}

/** Written to a temporary file and renamed, so no reader sees half a file; readable by its owner only. */
function writeAll(file: string, all: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * Records one environment's outputs in the outputs file (`{ "<env>": { "<name>": { value, … } } }`),
 * keeping the other environments' entries.
 */
export function recordOutputs(
  file: string,
  env: string,
  outputs: Record<string, TerraformOutputEntry>,
): void {
  writeAll(file, { ...readAll(file), [env]: outputs });
}

/** Drops a destroyed environment from the outputs file, keeping the others. */
export function forgetOutputs(file: string, env: string): void {
  const all = readAll(file);
  if (!Object.hasOwn(all, env)) return;
  delete all[env];
  writeAll(file, all);
}
