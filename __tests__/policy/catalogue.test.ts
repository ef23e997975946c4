import { policyCatalogue } from "../../policy/catalogue";
import { ALL_RULES } from "../../policy/registry";

describe("the rule catalogue", () => {
  const catalogue = policyCatalogue();
  const rows = catalogue.split("\n").filter((l) => l.startsWith("| `"));

  it("has one row per rule, in registry order", () => {
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)![1])).toEqual(ALL_RULES.map((r) => r.id));
  });

  it("keeps every row to five cells, whatever the rule text holds", () => {
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });

  it("escapes what Markdown would read as markup, outside code spans only", () => {
    const row = (id: string) => rows.find((r) => r.startsWith(`| \`${id}\``))!;
    expect(row("LS-LAM-2")).toContain("/aws/lambda/\\<function\\>");
    expect(row("LS-IAM-1")).toContain('no "\\*"');
    expect(row("LS-IAM-2")).toContain("A `*` resource");
  });

  it("names rules that exist in its waiver example", () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(catalogue)![1];
    const id = /rule: (\S+)/.exec(example)![1];
    expect(ALL_RULES.map((r) => r.id)).toContain(id);
  });
});
