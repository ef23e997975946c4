/** Where a command writes: results to `out`, progress, Terraform's own output and errors to `err`. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** With --json, stdout carries only the JSON document: everything meant for people goes to stderr. */
export function humanOutput(output: Output, json: boolean | undefined): Output {
  return json ? { out: output.err, err: output.err } : output;
}
