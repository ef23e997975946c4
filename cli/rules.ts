import { Command } from "commander";
import { POLICY_MARKERS, policyCatalogue } from "../policy";
import { writeMarkedBlock } from "../views/markers";
import { processOutput, runCommand, type Output } from "./runner";

/** `lakestack rules`: the policy catalogue, printed or refreshed in a Markdown file. */
export function rulesCommand(io: Output = processOutput): Command {
  return new Command("rules")
    .description("list the policy rules synth and validate apply, as Markdown")
    .option(
      "--write <file>",
      `refresh the catalogue between ${POLICY_MARKERS.start} and its end marker in a file`,
    )
    .addHelpText("after", "\nExamples:\n  $ lakestack rules\n  $ lakestack rules --write docs/policy.md")
    .action((opts: { write?: string }) =>
      runCommand(io, {}, () => {
        if (!opts.write) return io.out(policyCatalogue());
        const changed = writeMarkedBlock(opts.write, POLICY_MARKERS, policyCatalogue());
        io.err(changed ? `updated the policy catalogue in ${opts.write}` : `${opts.write} is up to date`);
      }),
    );
}
