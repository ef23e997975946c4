/**
 * How the view commands (diagram, diff) report: results on stdout, people's text and errors on
 * stderr, and the CLI's exit codes — 0 ok, 1 invalid input, 2 internal error — without stack traces.
 */
import type { Command } from "commander";
import { ConfigError, formatDiagnostic } from "../config/diagnostics";

export const EXIT_INVALID = 1;
export const EXIT_INTERNAL = 2;

export interface ViewOutput {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
}

const withNewline = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);

export const processViewOutput: ViewOutput = {
  out: (text) => void process.stdout.write(withNewline(text)),
  err: (text) => void process.stderr.write(withNewline(text)),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** A problem with what the user asked for, reported as one line. */
export class ViewInputError extends Error {}

/**
 * The config folder: the command's own `-c` when it runs alone, else the program's global `-c`
 * (commander hands an option both define to the program).
 */
export function configDirOf(command: Command, own: string | undefined): string {
  return own ?? (command.parent?.opts() as { config?: string } | undefined)?.config ?? "config";
}

/** Runs a command body and turns its failures into an exit code and a message. */
export async function runView(
  io: ViewOutput,
  name: string,
  json: boolean | undefined,
  body: () => void | Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof ConfigError) {
      if (json) io.out(JSON.stringify({ ok: false, diagnostics: error.diagnostics }, null, 2));
      for (const diagnostic of error.diagnostics) io.err(formatDiagnostic(diagnostic));
      io.setExitCode(EXIT_INVALID);
      return;
    }
    if (error instanceof ViewInputError) {
      if (json) io.out(JSON.stringify({ ok: false, error: error.message }, null, 2));
      io.err(`lakestack ${name}: ${error.message}`);
      io.setExitCode(EXIT_INVALID);
      return;
    }
    io.err(`lakestack ${name}: internal error: ${error instanceof Error ? error.message : String(error)}`);
    io.setExitCode(EXIT_INTERNAL);
  }
}
