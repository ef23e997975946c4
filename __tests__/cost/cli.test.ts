/** `lakestack cost` and `lakestack envs` as a user runs them, from a folder holding a copy of the config. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { DEFAULT_PRICE_FILE } from "../../cost/prices";
import { COST_TOTALS_MARKERS, referenceTotals, renderChange, totalCell } from "../../cost/render";
import type { Estimate } from "../../cost/estimate";
import { REPO_ROOT } from "../../paths";
import { line } from "./support";
import { readMarkedBlock } from "../../views/markers";
import { environmentNames } from "../../loader/load";
import { CONFIG_DIR, referenceEnvironment } from "../helpers";
import { lakestack, lakestackProcess, STACK_TRACE } from "../lakestack";

/** Sets YAML fields of a config file in place, keeping the rest as it is. */
function edit(file: string, changes: [string[], unknown][]): void {
  const doc = parseDocument(readFileSync(file, "utf8"));
  for (const [path, value] of changes) doc.setIn(path, value);
  writeFileSync(file, String(doc));
}

/** The 1-based line and column of `token` on the first line of a file that contains `text`. */
function positionOf(file: string, text: string, token = text): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const line = lines.findIndex((l) => l.includes(text));
  return `${line + 1}:${lines[line].indexOf(token) + 1}`;
}

describe("lakestack cost", () => {
  let cwd: string;
  let all: { environments: (Estimate & { change?: unknown })[] };

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "lakestack-cost-"));
    cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
    const { code, stdout } = await lakestack(cwd, "cost", "--all", "--json");
    expect(code).toBe(0);
    // Exactly one JSON document.
    all = JSON.parse(stdout);
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("prices every environment with AWS and Databricks lines, each assumption marked", async () => {
    expect(all.environments.map((e) => e.env)).toEqual(environmentNames(CONFIG_DIR));
    for (const e of all.environments) {
      expect(e.lines.some((l) => l.provider === "AWS")).toBe(true);
      expect(e.lines.some((l) => l.provider === "Databricks")).toBe(true);
      expect(e.change).toBeUndefined();
    }
    const { code, stdout } = await lakestack(cwd, "cost", "--env", "prod");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^prod \(eu-west-1\)\nRESOURCE +COMPONENT +QUANTITY +UNIT +UNIT PRICE +MONTHLY +NOTES\n/,
    );
    const row = stdout
      .split("\n")
      .find((l) => l.startsWith("databricks_sql_endpoint.sql_warehouse_warehouse"))!;
    // The warehouse's DBUs rest on its hours a day: the row points at the notes that say so.
    const notes = row.trim().split(/\s+/).pop()!.split(",");
    for (const id of ["cost.warehouse.active_hours_per_day", "cost.warehouse.sessions_per_day"]) {
      const n = stdout
        .split("\n")
        .find((l) => l.includes(`assumes ${id}:`))!
        .trim()
        .split(/\s+/)[0];
      expect(notes).toContain(n);
    }
    // Priced: a unit price per DBU and a monthly cost.
    expect(row).toMatch(/ DBU +\$[\d.]+ +\$[\d,.]+ /);
    // eu-west-1 Kinesis has no stored price: its row says so instead of a number.
    const streamHours = stdout
      .split("\n")
      .find((l) => l.startsWith("aws_kinesis_stream.events_stream ") && l.includes("stream-hours"))!;
    expect(streamHours).toContain("unknown price");
    expect(stdout).toMatch(
      /^AWS \$[\d.,]+ · Databricks \$[\d.,]+ · total \$[\d.,]+ a month, leaving out \d+ lines/m,
    );
  });

  it("prices AWS and Databricks resources, by Terraform address", () => {
    for (const e of all.environments) {
      const addresses = new Set(e.lines.map((l) => l.address));
      for (const address of [
        "aws_kinesis_stream.events_stream",
        "aws_lambda_function.http_ingest_function",
        "aws_s3_bucket.lake_bucket",
        "aws_cloudfront_distribution.browser_site_distribution",
        "databricks_sql_endpoint.sql_warehouse_warehouse",
        "databricks_pipeline.events_pipeline_pipeline",
        "databricks_job.job_device_max_job",
      ]) {
        expect(`${e.env} ${address} ${addresses.has(address)}`).toBe(`${e.env} ${address} true`);
      }
      expect(e.lines.some((l) => l.provider === "Databricks")).toBe(true);
      expect(e.noCharge).toContain("aws_iam_role.http_ingest_role");
    }
  });

  it("says why for every line without a number, and names the assumptions every other line rests on", () => {
    for (const e of all.environments) {
      const ids = new Set(e.assumptions.map((a) => a.id));
      for (const l of e.lines) {
        const where = `${e.env} ${l.address} ${l.component}`;
        if (l.monthly === null)
          expect(`${where}: ${(l.unknown?.reason.length ?? 0) > 10}`).toBe(`${where}: true`);
        else expect(`${where}: ${l.unknown}`).toBe(`${where}: undefined`);
        for (const id of l.assumptions) expect(`${where}: ${id} ${ids.has(id)}`).toBe(`${where}: ${id} true`);
      }
      // Everything that depends on the load says so.
      const load = e.lines.filter((l) =>
        /^data in|^data out to the pipeline|^storage \(current/.test(l.component),
      );
      expect(load.length).toBeGreaterThan(0);
      for (const l of load) expect(l.assumptions).toContain("stream.capacity");
      // A month of stream-hours needs no assumption beyond the month.
      expect(e.lines.find((l) => /stream-hours|shard-hours/.test(l.component))?.quantity).toBe(730);
    }
  });

  it("leaves unknown prices out of the totals and counts them", () => {
    for (const e of all.environments) {
      const known = e.lines.filter((l) => l.monthly !== null);
      expect(e.totals.total).toBeCloseTo(
        known.reduce((sum, l) => sum + l.monthly!, 0),
        9,
      );
      expect(e.totals.unknownLines).toBe(e.lines.length - known.length);
      // eu-west-1 Kinesis has no stored price: the line carries the price file's reason.
      const kinesis = e.lines.find((l) => l.address === "aws_kinesis_stream.events_stream")!;
      expect(kinesis.unknown).toMatchObject({ kind: "price", reason: expect.stringMatching(/^eu-west-1: /) });
    }
  });

  it("counts a job's runs from its schedule, and none in development mode, which pauses it", () => {
    const [dev, prod] = ["dev", "prod"].map((name) => all.environments.find((e) => e.env === name)!);
    expect(line(dev, "databricks_job.job_device_max_job", /serverless runs/).quantity).toBe(0);
    const runs = prod.assumptions.find((a) => a.id === "databricks_job.job_device_max_job schedule")!;
    expect(runs.text).toMatch(/^2920 runs a month/);
  });

  it("keeps docs/cost.md's totals current for the environments it lists (npm run docs)", () => {
    const docs = readFileSync(join(REPO_ROOT, "docs", "cost.md"), "utf8");
    const block = readMarkedBlock(docs, COST_TOTALS_MARKERS);
    const words = (markdown: string) => markdown.replace(/-{3,}/g, "---").replace(/ +/g, " ").trim();
    // Like the address record, the block speaks for the environments it lists: a new one is added by
    // `npm run docs`, and its absence fails nothing.
    const listed = [...block.matchAll(/^\| `([a-z0-9-]+)` /gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(0);
    expect(environmentNames(CONFIG_DIR)).toEqual(expect.arrayContaining(listed));
    const estimates = all.environments.filter((e) => listed.includes(e.env));
    expect(words(block)).toBe(words(referenceTotals(estimates)));
  });

  it("quotes in docs/cost.md the defaults the schema applies", () => {
    const docs = readFileSync(join(REPO_ROOT, "docs", "cost.md"), "utf8");
    const quoted = [...docs.matchAll(/`(cost\.[a-z_.]+)` \(default `([^`]+)`\)/g)];
    expect(quoted.length).toBeGreaterThan(10);
    // The reference config sets no cost: section, so its values are the defaults.
    const defaults = referenceEnvironment("dev").config;
    for (const [, path, value] of quoted) {
      const actual = path
        .split(".")
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], defaults);
      expect(`${path}: ${String(actual)}`).toBe(`${path}: ${value}`);
    }
  });

  describe("against another config folder", () => {
    // Before: the config as it is, in us-east-1 where every price is known. After: prod's warehouse one
    // size up (costs more), staging's stream kept 24 hours instead of 72 (costs less).
    let before: string;
    let after: string;
    beforeAll(() => {
      before = join(cwd, "before");
      after = join(cwd, "after");
      for (const dir of [before, after]) {
        mkdirSync(dir);
        for (const file of ["base.yaml", "prod.yaml", "staging.yaml"])
          cpSync(join(CONFIG_DIR, file), join(dir, file));
        for (const env of ["prod", "staging"]) {
          edit(join(dir, `${env}.yaml`), [
            [["aws", "region"], "us-east-1"],
            // The demo's sustained load.
            [["cost", "average_events_per_second"], 590],
          ]);
        }
      }
      edit(join(after, "prod.yaml"), [[["warehouse", "size"], "Small"]]);
      edit(join(after, "staging.yaml"), [[["stream", "retention_hours"], 24]]);
    });

    it("shows the change per environment and component, with signs", async () => {
      const json = await lakestack(cwd, "cost", "--all", "--against", before, "-c", after, "--json");
      expect(json.stderr).toBe("");
      expect(json.code).toBe(0);
      const changes = Object.fromEntries(
        JSON.parse(json.stdout).environments.map((e: { env: string; change: unknown }) => [e.env, e.change]),
      );
      expect(Object.keys(changes)).toEqual(["prod", "staging"]);
      type Component = { address: string; component: string; provider: string; change: number | null };
      const component = (env: string, address: string) =>
        (changes[env].components as Component[]).find((c) => c.address === address)!;
      // One size up: 425.83 more DBU × $0.70 = +$298.08 on the warehouse line.
      expect(component("prod", "databricks_sql_endpoint.sql_warehouse_warehouse")).toMatchObject({
        component: "serverless SQL (Small, 1 cluster)",
        status: "changed",
      });
      expect(component("prod", "databricks_sql_endpoint.sql_warehouse_warehouse").change).toBeCloseTo(
        298.0833,
        3,
      );
      // The environment's change is the sum of its components' changes.
      const databricks = (changes.prod.components as Component[])
        .filter((c) => c.provider === "Databricks")
        .reduce((sum, c) => sum + (c.change ?? 0), 0);
      expect(changes.prod.change.databricks).toBeCloseTo(databricks, 6);
      expect(changes.prod.change.aws).toBeCloseTo(0, 6);
      // 590 events/s: 1,478.6911 GB ÷ 730 h × 48 h × $0.10 of extended retention go.
      expect(component("staging", "aws_kinesis_stream.events_stream")).toMatchObject({
        component: "extended retention (72 h)",
        status: "removed",
        after: null,
      });
      expect(changes.staging.change.aws).toBeCloseTo(-9.7229, 3);
      // The console shows the same change with the same signs.
      expect(renderChange(changes.staging)).toMatch(
        /^staging: \$[\d,.]+ → \$[\d,.]+ a month \(-\$9\.72; AWS -\$9\.72, Databricks \$0\.00\)\n/,
      );
    });

    it("writes the pull-request comment's Markdown: the total, its change, the top moves", async () => {
      const markdown = await lakestack(
        cwd,
        "cost",
        "--env",
        "prod",
        "--against",
        before,
        "-c",
        after,
        "--markdown",
      );
      expect(markdown.code).toBe(0);
      expect(markdown.stdout).toMatch(
        /^\*\*💰 Estimated monthly cost: \$[\d,.]+\*\* \(AWS .* · Databricks .*\), \*\*\+\$[\d,.]+\*\* against the base branch \(was \$[\d,.]+\)\./,
      );
      // Among the top moves (a scheduled SQL alert on the same warehouse moves with it, where there is one).
      const moves = markdown.stdout.split("<details>")[0];
      expect(moves).toContain(
        "| `databricks_sql_endpoint.sql_warehouse_warehouse` serverless SQL (Small, 1 cluster) | $298.08 | $596.17 | +$298.08 |",
      );
    });
  });

  it("refuses a malformed cost: section at the line that is wrong", async () => {
    const dir = join(cwd, "bad-cost");
    cpSync(CONFIG_DIR, dir, { recursive: true });
    edit(join(dir, "prod.yaml"), [
      [["cost", "warehouse", "active_hours_per_day"], 30],
      [["cost", "jobs", "device_maxx", "minutes"], 5],
    ]);
    const { code, stdout, stderr } = await lakestack(cwd, "cost", "-c", dir, "--env", "prod");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const file = join(dir, "prod.yaml");
    expect(stderr).toContain(
      `bad-cost/prod.yaml:${positionOf(file, "active_hours_per_day: 30", "30")}: cost.warehouse.active_hours_per_day: must be at most 24 (got 30)`,
    );
    expect(stderr).toContain(
      `bad-cost/prod.yaml:${positionOf(file, "minutes: 5", "minutes")}: cost.jobs.device_maxx: no job 'device_maxx'; did you mean 'device_max'?`,
    );
  });

  it("still estimates when the earlier config cannot be read, and says why there is no change", async () => {
    const dir = join(cwd, "unreadable-before");
    cpSync(CONFIG_DIR, dir, { recursive: true });
    writeFileSync(
      join(dir, "prod.yaml"),
      `${readFileSync(join(dir, "prod.yaml"), "utf8")}\nretired_key: 1\n`,
    );
    const { code, stdout, stderr } = await lakestack(
      cwd,
      "cost",
      "--env",
      "prod",
      "--against",
      dir,
      "--markdown",
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^warning: no change to show: .*unreadable-before cannot be read as it stands: .*prod\.yaml:\d+:1: retired_key: unknown key/m,
    );
    expect(stdout).toMatch(/^\| resource \| component \|/);
    expect(stdout).not.toContain("against the base branch");
  });

  it("refuses a malformed price file with exit code 1 at file:line:col, and no stack trace", () => {
    const bad = join(cwd, "prices.yaml");
    writeFileSync(
      bad,
      readFileSync(DEFAULT_PRICE_FILE, "utf8").replace(
        "us-east-1: { usd: 0.015, source:",
        "us-east-1: { usd: cheap, source:",
      ),
    );
    const { code, stdout, stderr } = lakestackProcess(cwd, "cost", "--env", "dev", "--prices", "prices.yaml");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `^prices\\.yaml:${positionOf(bad, "cheap").split(":")[0]}:\\d+: prices\\.kinesis_shard_hour\\.regions\\.us-east-1\\.usd: `,
        "m",
      ),
    );
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it("warns about prices older than allowed, and fails on them when asked", async () => {
    const old = join(cwd, "old-prices.yaml");
    writeFileSync(
      old,
      readFileSync(DEFAULT_PRICE_FILE, "utf8").replace(/read: "\d{4}-\d{2}-\d{2}"/g, 'read: "2001-02-03"'),
    );
    const warned = await lakestack(cwd, "cost", "--env", "dev", "--prices", old);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(
      /^warning: .*old-prices\.yaml: prices from [a-z0-9-]+ were read 2001-02-03, \d+ days ago \(more than 365\): check https:\/\//m,
    );
    const failed = await lakestack(cwd, "cost", "--env", "dev", "--prices", old, "--fail-on-stale-prices");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(/^lakestack cost: .*were read 2001-02-03/m);
  });

  it("gives lakestack envs a monthly cost column", async () => {
    // One environment is enough to see the column (and synthesizes once).
    const dir = join(cwd, "only-prod");
    mkdirSync(dir);
    for (const file of ["base.yaml", "prod.yaml"]) cpSync(join(CONFIG_DIR, file), join(dir, file));
    const { code, stdout } = await lakestack(cwd, "envs", "-c", dir);
    expect(code).toBe(0);
    const [header, row] = stdout.split("\n");
    expect(header).toMatch(/^NAME .* COST\/MONTH$/);
    const prod = all.environments.find((e) => e.env === "prod")!;
    expect(row).toMatch(new RegExp(`^prod .*  ${totalCell(prod.totals).replace(/[$+.]/g, "\\$&")}$`));
    expect(totalCell(prod.totals)).toMatch(/^\$[\d,.]+ \+ \d+ unknown$/);
  });
});
