import { Command, Option } from "commander";
import { loadEnvironments } from "../loader/load";
import { configDirOf, InputError, processOutput, runCommand, type Output } from "./runner";
import { DIAGRAM_FORMATS, renderDiagram, type DiagramFormat } from "../views/diagram";
import { diagramMarkers, fencedBlock, writeMarkedBlock } from "../views/markers";

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

/** `lakestack diagram --env <name>`: the environment's architecture, drawn from its config. */
export function diagramCommand(io: Output = processOutput): Command {
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
      runCommand(io, { name: "diagram" }, () => {
        if (options.write && options.format !== "mermaid") {
          throw new InputError("--write fills a ```mermaid block: drop --format dot");
        }
        const [env] = loadEnvironments(configDirOf(command, options.config), [options.env]);
        const diagram = renderDiagram(env, options.format);
        if (!options.write) {
          io.out(diagram);
          return;
        }
        const changed = writeMarkedBlock(
          options.write,
          diagramMarkers(env.name),
          fencedBlock("mermaid", diagram),
        );
        io.err(
          changed ? `updated the ${env.name} diagram in ${options.write}` : `${options.write} is up to date`,
        );
      }),
    );
}
