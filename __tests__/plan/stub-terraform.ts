import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A stand-in Terraform: records each call, prints what the STUB_* variables say, writes the -out plan
 * file, prints a fixture for `show -json` (STUB_SHOW_FILE), for `output -json` (STUB_OUTPUT_FILE, else
 * `{}`) and for `version -json` (STUB_VERSION_JSON, else 1.10.5), and exits with the configured code per
 * command (STUB_EXIT_<COMMAND>). A POSIX shell script: it starts in a millisecond, where Node takes a tenth
 * of a second, and the deploy and destroy tests run it a few dozen times.
 */
const STUB_SCRIPT = `#!/bin/sh
command=$1
shift
args=""
for arg in "$@"; do args="$args\${args:+,}\\"$arg\\""; done
printf '{"command":"%s","args":[%s],"cwd":"%s","tfInAutomation":"%s"}\\n' \\
  "$command" "$args" "$(pwd)" "\${TF_IN_AUTOMATION:-}" >> "$STUB_LOG"
key=$(printf '%s' "$command" | tr '[:lower:]' '[:upper:]')
eval "stderr=\\\${STUB_STDERR_$key:-}"
[ -n "$stderr" ] && printf '%s' "$stderr" >&2
case "$command" in
  show) cat "$STUB_SHOW_FILE" ;;
  version)
    if [ -n "\${STUB_VERSION_JSON:-}" ]; then printf '%s' "$STUB_VERSION_JSON"
    else printf '{"terraform_version":"1.10.5"}'; fi ;;
  output) if [ -n "\${STUB_OUTPUT_FILE:-}" ]; then cat "$STUB_OUTPUT_FILE"; else printf '{}'; fi ;;
  *) echo "stub $command says hello" ;;
esac
for arg in "$@"; do
  case "$arg" in -out=*) printf 'binary plan' > "\${arg#-out=}" ;; esac
done
eval "code=\\\${STUB_EXIT_$key:-0}"
exit "$code"
`;

export interface StubCall {
  readonly command: string;
  readonly args: string[];
  readonly cwd: string;
  readonly tfInAutomation?: string;
}

export interface StubTerraform {
  /** Holds the stub binary; put it first on PATH. */
  readonly binDir: string;
  /** A synthesized-looking stack directory (it has a cdk.tf.json). */
  readonly stackDir: string;
  readonly root: string;
  /** Environment for runPlan: PATH with the stub first, plus the STUB_* settings given. */
  env(settings?: Record<string, string>): NodeJS.ProcessEnv;
  calls(): StubCall[];
  remove(): void;
}

export function createStubTerraform(binaryName = "terraform"): StubTerraform {
  const root = mkdtempSync(join(tmpdir(), "lakestack-plan-"));
  const binDir = join(root, "bin");
  const stackDir = join(root, "cdktf.out", "stacks", "dev");
  const logFile = join(root, "calls.jsonl");
  mkdirSync(binDir);
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(join(stackDir, "cdk.tf.json"), "{}\n");
  writeFileSync(join(binDir, binaryName), STUB_SCRIPT);
  chmodSync(join(binDir, binaryName), 0o755);
  writeFileSync(logFile, "");
  return {
    binDir,
    stackDir,
    root,
    env: (settings = {}) => ({
      PATH: `${binDir}:${process.env.PATH ?? ""}`,
      HOME: root,
      STUB_LOG: logFile,
      ...settings,
    }),
    calls: () =>
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as StubCall),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
