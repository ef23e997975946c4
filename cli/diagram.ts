import { readFileSync, writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { loadEnvironments } from "../config/load";
import { configDirOf, processViewOutput, runView, ViewInputError, type ViewOutput } from "../views/command";
import { DIAGRAM_FORMATS, renderDiagram, type DiagramFormat } from "../views/diagram";
import { diagramMarkers, fencedBlock, MarkerError, replaceMarkedBlock } from "../views/markers";

interface DiagramOptions {
  readonly env: string;
  readonly format: DiagramFormat;
  readonly config?: string;
  readonly write?: string;
}

const EXAMPLES = `
Examples:
  $ lakestack diagram --env prod                    # Mermaid, for a \`\`\`mermaid block on GitHub
  $ lakestack diagram --env dev --format dot | dot -Tsvg > dev.svg
  $ lakestack diagram --env prod --write README.md  # refresh the README's production diagram

--write replaces what lies between <!-- diagram:<env>:start --> and <!-- diagram:<env>:end -->.`;

/** Replaces the environment's diagram block in a Markdown file; says whether anything changed. */
function writeIntoMarkdown(file: string, env: string, mermaid: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ViewInputError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  let updated: string;
  try {
    updated = replaceMarkedBlock(text, diagramMarkers(env), fencedBlock("mermaid", mermaid));
  } catch (error) {
    if (error instanceof MarkerError) throw new ViewInputError(`${file} has ${error.message}`);
    throw error;
  }
  if (updated === text) return false;
  writeFileSync(file, updated);
  return true;
}

/** `lakestack diagram --env <name>`: the environment's architecture, drawn from its config. */
export function diagramCommand(io: ViewOutput = processViewOutput): Command {
  return new Command("diagram")
    .description("draw an environment's architecture from its config: only what its YAML enables")
    .requiredOption("-e, --env <name>", "environment to draw (config/<name>.yaml)")
    .addOption(
      new Option("-f, --format <format>", "Mermaid or Graphviz DOT")
        .choices(DIAGRAM_FORMATS)
        .default("mermaid"),
    )
    .option("-c, --config <dir>", "config folder (default: the program's --config, else config)")
    .option("-w, --write <file>", "update the environment's diagram block in this Markdown file")
    .addHelpText("after", EXAMPLES)
    .action((options: DiagramOptions, command: Command) =>
      runView(io, "diagram", false, () => {
        if (options.write && options.format !== "mermaid") {
          throw new ViewInputError("--write fills a ```mermaid block: drop --format dot");
        }
        const [env] = loadEnvironments(configDirOf(command, options.config), [options.env]);
        const diagram = renderDiagram(env, options.format);
        if (!options.write) {
          io.out(diagram);
          return;
        }
        const changed = writeIntoMarkdown(options.write, env.name, diagram);
        io.err(
          changed ? `updated the ${env.name} diagram in ${options.write}` : `${options.write} is up to date`,
        );
      }),
    );
}
