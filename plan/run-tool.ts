import { spawn } from "node:child_process";

/** Enough of Terraform's output to recognise the failures diagnose.ts knows. */
const TAIL_CHARACTERS = 64 * 1024;

export interface ToolRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last part of what the tool printed (stderr, and stdout unless captured). */
  readonly outputTail: string;
  /** The last part of its stderr alone: Terraform's errors and warnings, never its plan. */
  readonly stderrTail: string;
  /** Everything on stdout when `captureStdout` was set; empty otherwise. */
  readonly stdout: string;
}

export interface RunToolOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Receives the tool's output as it arrives. */
  readonly echo: (text: string) => void;
  /** Keep stdout instead of echoing it: `show -json` prints secrets. */
  readonly captureStdout?: boolean;
}

/** Runs a tool without a shell. Rejects only when it cannot start (the spawn error, e.g. ENOENT). */
export function runTool(binary: string, args: readonly string[], options: RunToolOptions): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const captured: string[] = [];
    let tail = "";
    let stderrTail = "";
    const echoAndRemember = (text: string) => {
      options.echo(text);
      tail = (tail + text).slice(-TAIL_CHARACTERS);
    };
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (text: string) =>
      options.captureStdout ? captured.push(text) : echoAndRemember(text),
    );
    child.stderr.on("data", (text: string) => {
      echoAndRemember(text);
      stderrTail = (stderrTail + text).slice(-TAIL_CHARACTERS);
    });
    child.once("error", reject);
    child.once("close", (exitCode, signal) =>
      resolve({ exitCode, signal, outputTail: tail, stderrTail, stdout: captured.join("") }),
    );
  });
}
