import type { Command } from "commander";
import type { CliContext } from "../../cli/guard";

/** A CliContext that records what a command printed and the exit code it chose. */
export interface RecordingContext extends CliContext {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exitCode: () => number | undefined;
}

export function recordingContext(processEnv: NodeJS.ProcessEnv = {}): RecordingContext {
  const out: string[] = [];
  const err: string[] = [];
  let code: number | undefined;
  return {
    processEnv,
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    setExitCode: (value) => {
      code = value;
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
    exitCode: () => code,
  };
}

/** Commander throws instead of exiting, and writes its own messages into the context. */
export function inProcess(command: Command, context: RecordingContext): Command {
  return command.exitOverride().configureOutput({ writeOut: context.out, writeErr: context.err });
}
