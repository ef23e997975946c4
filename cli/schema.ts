import { Command } from "commander";
import { editorJsonSchema } from "../loader/schema";
import { CONFIG_REFERENCE_MARKERS, configReference } from "../views/config-reference";
import { writeMarkedBlock } from "../views/markers";
import { InputError, processOutput, runCommand, type Output } from "./runner";

interface SchemaOptions {
  readonly markdown?: boolean;
  readonly write?: string;
}

/** `lakestack schema`: the editor JSON Schema, or the configuration reference generated from it. */
export function schemaCommand(io: Output = processOutput): Command {
  return new Command("schema")
    .description("print the JSON Schema (draft-07) editors use, or the configuration reference as Markdown")
    .option("--markdown", "print the configuration reference instead")
    .option(
      "--write <file>",
      `refresh the reference between ${CONFIG_REFERENCE_MARKERS.start} and its end marker`,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ lakestack schema > config/lakestack.schema.json\n  $ lakestack schema --markdown --write docs/configuration.md",
    )
    .action((opts: SchemaOptions) =>
      runCommand(io, {}, () => {
        if (opts.write && !opts.markdown) throw new InputError("--write refreshes Markdown: add --markdown");
        if (!opts.markdown) return io.out(`${JSON.stringify(editorJsonSchema(), null, 2)}\n`);
        if (!opts.write) return io.out(configReference());
        const changed = writeMarkedBlock(opts.write, CONFIG_REFERENCE_MARKERS, configReference());
        io.err(
          changed ? `updated the configuration reference in ${opts.write}` : `${opts.write} is up to date`,
        );
      }),
    );
}
