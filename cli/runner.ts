/**
 * How every lakestack command reports: results on stdout, people's text and errors on stderr, exit codes
 * 0 ok, 1 invalid input, 2 internal error, never a stack trace (unless LAKESTACK_DEBUG is set).
 */
import { CommanderError, type Command } from "commander";
import { ConfigError, formatDiagnostic, isError, type Diagnostic } from "../loader/diagnostics";
import { DatabricksError } from "../databricks-api/client";
import { MarkerError } from "../views/markers";
import { OutputsError } from "../views/outputs";

export const EXIT_INVALID = 1;
export const EXIT_INTERNAL = 2;

/** Where a command writes, line by line (a missing final newline is added), and its exit code. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
}

const withNewline = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);

/** An Output over one that writes text as given (Terraform's streamed output must stay as it comes). */
export function lineOutput(raw: Output): Output {
  return {
    out: (text) => raw.out(withNewline(text)),
    err: (text) => raw.err(withNewline(text)),
    setExitCode: (code) => raw.setExitCode(code),
  };
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(withNewline(text)),
  err: (text) => void process.stderr.write(withNewline(text)),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** The oldest Node.js major release the AWS SDK keeps supporting after January 2027. */
const AWS_SDK_NODE_MAJOR = 22;
let nodeNoticeGiven = false;

/**
 * Before a command loads the AWS SDK: on Node.js 20 the SDK prints an eight-line warning from every
 * process that uses it. Say it once, in one line, with what to do, and keep the SDK quiet.
 * @returns whether the notice was printed (false on a supported Node.js, or when already said)
 */
export function noteNodeSupport(err: (text: string) => void, version = process.version): boolean {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const major = Number(version.replace(/^v/, "").split(".")[0]);
  if (nodeNoticeGiven || major >= AWS_SDK_NODE_MAJOR) return false;
  nodeNoticeGiven = true;
  err(
    `lakestack: Node.js ${version} is past its end of life, and AWS SDK releases after January 2027 need ` +
      `Node.js ${AWS_SDK_NODE_MAJOR} or newer: install Node.js 22 or 24`,
  );
  return true;
}

/** Output plus the environment variables a command reads (credentials, endpoints); tests pass their own. */
export interface CommandContext extends Output {
  readonly processEnv: NodeJS.ProcessEnv;
}

export const processCommandContext: CommandContext = { ...processOutput, processEnv: process.env };

/** A problem with what the user asked for, reported as one line. */
export class InputError extends Error {}

/**
 * The config folder: the command's own `-c` when it runs alone, else the program's global `-c`
 * (commander hands an option both define to the program).
 */
export function configDirOf(command: Command, own: string | undefined): string {
  const program = command.parent ?? command;
  return own ?? (program.opts() as { config?: string }).config ?? "config";
}

/**
 * Runs a command body and turns its failures into an exit code and a message. `name` prefixes one-line
 * messages (`lakestack diff: …`); with `json`, a failure still prints exactly one JSON document.
 */
export async function runCommand(
  io: Output,
  options: { name?: string; json?: boolean },
  body: () => void | Promise<void>,
): Promise<void> {
  const prefix = `lakestack${options.name ? ` ${options.name}` : ""}`;
  try {
    await body();
  } catch (error) {
    if (error instanceof CommanderError) throw error;
    if (error instanceof ConfigError) {
      if (options.json) io.out(JSON.stringify({ ok: false, diagnostics: error.diagnostics }, null, 2));
      for (const problem of error.diagnostics.filter(isError)) io.err(formatDiagnostic(problem));
      reportFindings(io, error.diagnostics);
      io.err(`${error.diagnostics.filter(isError).length} error(s)`);
      io.setExitCode(EXIT_INVALID);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (options.json) io.out(JSON.stringify({ ok: false, error: message }, null, 2));
    if (
      error instanceof InputError ||
      error instanceof MarkerError ||
      error instanceof OutputsError ||
      error instanceof DatabricksError
    ) {
      io.err(`${prefix}: ${message}`);
      io.setExitCode(EXIT_INVALID);
      return;
    }
    io.err(`${prefix}: internal error: ${message}`);
    if (process.env.LAKESTACK_DEBUG && error instanceof Error) io.err(error.stack ?? "");
    io.setExitCode(EXIT_INTERNAL);
  }
}

/** Parses and runs a program; returns the exit code (usage errors are 1, --help and --version 0). */
export async function parseProgram(program: Command, argv: string[]): Promise<number> {
  // Commands added with addCommand() inherit nothing: each must throw rather than exit the process.
  const throwInsteadOfExit = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(throwInsteadOfExit);
  };
  throwInsteadOfExit(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_INVALID;
    throw error;
  }
  return Number(process.exitCode ?? 0);
}

/** Runs a program as the process: sets the exit code, and reports a failure no command caught in one line. */
export function execute(program: Command, argv: string[]): void {
  parseProgram(program, argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `lakestack: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = EXIT_INTERNAL;
    },
  );
}

/** Warnings in full; findings a waiver acknowledged only as a count (`validate --json` lists them). */
export function reportFindings(io: Output, findings: readonly Diagnostic[]): void {
  for (const warning of findings.filter((d) => d.severity === "warning")) io.err(formatDiagnostic(warning));
  const acknowledged = findings.filter((d) => d.severity === "info").length;
  if (acknowledged > 0) io.err(`${acknowledged} finding(s) acknowledged by waivers`);
}
