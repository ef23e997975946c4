/**
 * What run, verify and doctor share: the environment's config, what its last deploy recorded, a client
 * for its Databricks workspace, and durations as options.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { credentialsFromEnv, DatabricksClient } from "../databricks-api/client";
import { parseDuration } from "../databricks-api/polling";
import { loadEnvironments, type Environment } from "../loader/load";
import { DEFAULT_OUTPUTS_FILE, deployedOutputs } from "../views/outputs";
import { httpUrl } from "./arguments";
import { configDirOf } from "./runner";

export interface WorkspaceOptions {
  readonly env: string;
  readonly host?: string;
  readonly config?: string;
}

export interface DeployedOptions extends WorkspaceOptions {
  readonly outputs: string;
}

/** --env, --host and --config, as run, verify and doctor take them; with `outputs`, also --outputs. */
export function addWorkspaceOptions(command: Command, { outputs = true } = {}): Command {
  command.requiredOption("-e, --env <name>", "environment (config/<name>.yaml)");
  if (outputs)
    command.option("--outputs <file>", "the outputs lakestack deploy records", DEFAULT_OUTPUTS_FILE);
  return command
    .option("--host <url>", "Databricks workspace URL (default: databricks.host of the environment)", (v) =>
      httpUrl(v).replace(/\/+$/, ""),
    )
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)");
}

export interface Workspace {
  readonly environment: Environment;
  readonly client: DatabricksClient;
}

/** The environment and a client for its workspace, with credentials from the process environment. */
export function openWorkspace(
  command: Command,
  options: WorkspaceOptions,
  processEnv: NodeJS.ProcessEnv,
): Workspace {
  const [environment] = loadEnvironments(configDirOf(command, options.config), [options.env]);
  const host = options.host ?? environment.config.databricks.host;
  return { environment, client: new DatabricksClient({ host, credentials: credentialsFromEnv(processEnv) }) };
}

/** The environment's outputs from its last deploy; missing ones are the user's to fix. */
export function lastDeploy(options: DeployedOptions): Readonly<Record<string, unknown>> {
  return deployedOutputs(options.outputs, options.env);
}

/** A commander parser for durations: 500ms, 30s, 10m, 1h. */
function durationArgument(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new InvalidArgumentError("expected a duration such as 30s, 10m or 500ms.");
  }
  return ms;
}

/** An option taking a duration (500ms, 30s, 10m, 1h), in milliseconds; `fallback` as people write it. */
export function durationOption(flags: string, description: string, fallback?: string): Option {
  const option = new Option(flags, description).argParser(durationArgument);
  return fallback === undefined ? option : option.default(durationArgument(fallback), fallback);
}

/** 83 s → "1m 23s", 0.2 s → "200ms": how long something took, for people. */
export function elapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}
