import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { diagramCommand } from "../../cli/diagram";
import { diffCommand } from "../../cli/diff";
import { renderDiagram } from "../../views/diagram";
import type { Output } from "../../cli/runner";
import { diagramMarkers, fencedBlock, readMarkedBlock } from "../../views/markers";
import { CONFIG_DIR, referenceEnvironment, scratchDir } from "./support";

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

/** Runs one view command as the CLI would, capturing what it prints and the exit code it sets. */
async function run(make: (io: Output) => Command, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const io: Output = {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    setExitCode: (c) => void (code = c),
  };
  const command = make(io)
    .exitOverride()
    .configureOutput({ writeOut: (t) => void out.push(t), writeErr: (t) => void err.push(t) });
  try {
    await command.parseAsync(["-c", CONFIG_DIR, ...args], { from: "user" });
  } catch (error) {
    code = (error as { exitCode?: number }).exitCode ?? 2;
  }
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("lakestack diagram", () => {
  it("prints the environment's Mermaid diagram, or DOT on request", async () => {
    const prod = referenceEnvironment("prod");
    const mermaid = await run(diagramCommand, ["--env", "prod"]);
    expect(mermaid).toMatchObject({ code: 0, stdout: renderDiagram(prod, "mermaid") });
    const dot = await run(diagramCommand, ["--env", "prod", "--format", "dot"]);
    expect(dot).toMatchObject({ code: 0, stdout: renderDiagram(prod, "dot") });
  });

  it("rejects an unknown environment or format with one line and exit code 1", async () => {
    const unknown = await run(diagramCommand, ["--env", "prd"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toContain("no environment 'prd'; did you mean 'prod'?");
    expect(unknown.stderr).not.toMatch(STACK_TRACE);
    const format = await run(diagramCommand, ["--env", "prod", "--format", "svg"]);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain("svg");
  });

  it("--write refreshes the environment's block in a Markdown file and leaves the rest alone", async () => {
    const dir = scratchDir("readme");
    try {
      const file = join(dir, "README.md");
      const { start, end } = diagramMarkers("prod");
      writeFileSync(file, `# Title\n\n${start}\nold diagram\n${end}\n\n## After\n`);
      const first = await run(diagramCommand, ["--env", "prod", "--write", file]);
      expect(first).toMatchObject({ code: 0, stdout: "" });
      const text = readFileSync(file, "utf8");
      expect(readMarkedBlock(text, diagramMarkers("prod"))).toBe(
        fencedBlock("mermaid", renderDiagram(referenceEnvironment("prod"), "mermaid")),
      );
      expect(text.startsWith("# Title\n\n")).toBe(true);
      expect(text.endsWith(`${end}\n\n## After\n`)).toBe(true);
      const second = await run(diagramCommand, ["--env", "prod", "--write", file]);
      expect(second.stderr).toContain("is up to date");
      expect(readFileSync(file, "utf8")).toBe(text);

      writeFileSync(file, "# No markers\n");
      const missing = await run(diagramCommand, ["--env", "prod", "--write", file]);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe(`lakestack diagram: ${file} has no ${start} marker`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("lakestack diff", () => {
  it("prints exactly one JSON document with --json", async () => {
    const { code, stdout } = await run(diffCommand, ["staging", "prod", "--json"]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({ ok: true, left: "staging", right: "prod" });
    expect(document.differences.map((d: { path: string }) => d.path)).toContain("aws.account_id");
  });

  it("reports an unknown environment as invalid input, in JSON too", async () => {
    const text = await run(diffCommand, ["staging", "no-such-env"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("no environment 'no-such-env'");
    expect(text.stderr).not.toMatch(STACK_TRACE);
    const json = await run(diffCommand, ["staging", "no-such-env", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false });
  });

  it("takes the program's --config when it runs as a subcommand", async () => {
    const out: string[] = [];
    const io: Output = {
      out: (t) => void out.push(t),
      err: () => undefined,
      setExitCode: () => undefined,
    };
    const program = new Command("lakestack").option("-c, --config <dir>", "config folder", "config");
    program.addCommand(diffCommand(io));
    await program.parseAsync(["--config", CONFIG_DIR, "diff", "dev", "prod"], { from: "user" });
    expect(out.join("")).toMatch(/^dev ↔ prod: \d+ differences/);
  });
});
