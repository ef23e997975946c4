/**
 * Workloads from the repo, not from code: a notebook or SQL file added to the folders and named in YAML
 * becomes Terraform with no TypeScript change.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../paths";
import {
  referenceEnvironment,
  resources,
  synthStack,
  variantEnvironment,
  workloadsFolder,
  type TerraformJson,
} from "../helpers";

describe("a team's own notebook, SQL file and pipeline library, from YAML alone", () => {
  let root: string;
  let json: TerraformJson;
  const job = () => resources(json, "databricks_job").job_partner_drop_job;
  const task = (key: string) => job().task.find((t: { task_key: string }) => t.task_key === key);

  beforeAll(() => {
    root = workloadsFolder({
      "notebooks/hourly_counts.py": "# Databricks notebook source\nprint(dbutils.widgets.get('window'))\n",
      "notebooks/device_rollups.sql":
        "-- Databricks notebook source\nCREATE OR REFRESH MATERIALIZED VIEW device_rollups AS\nSELECT device, max(magn) AS max_magn FROM sensor GROUP BY device\n",
      "sql/daily_counts.sql": "SELECT count(*) FROM IDENTIFIER(:catalog || '.' || :schema || '.sensor')\n",
      "notebooks/scratch.py": "# Databricks notebook source\nprint('work in progress')\n",
    });
    const dev = variantEnvironment(
      "dev",
      {
        jobs: {
          partner_drop: {
            tasks: {
              count: {
                notebook: "hourly_counts",
                parameters: { window: 60 },
                max_retries: 2,
                timeout_seconds: 600,
              },
              report: { sql_file: "daily_counts", depends_on: ["count"] },
              refresh: { pipeline_refresh: true, depends_on: ["report", "count"] },
            },
            file_arrival: { path: "raw/landing/", wait_after_last_change_seconds: 120 },
            parameters: { partner: "acme" },
          },
        },
        pipeline: { libraries: { device_rollups: {} }, configuration: { "rollups.window_minutes": 5 } },
      },
      { workloadsRoot: root },
    );
    json = synthStack(dev).json;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("uploads the new notebooks in their language, under the environment's folder", () => {
    const notebooks = resources(json, "databricks_notebook");
    expect(notebooks.notebooks_hourly_counts).toMatchObject({
      path: "/Shared/lakestack/seismo-dev/hourly_counts",
      language: "PYTHON",
      source: expect.stringMatching(/^assets\/notebooks_hourly_counts_source\/[0-9A-F]+\/hourly_counts\.py$/),
    });
    expect(notebooks.notebooks_device_rollups).toMatchObject({
      path: "/Shared/lakestack/seismo-dev/device_rollups",
      language: "SQL",
    });
  });

  it("uploads only the notebooks the environment names, and the pipeline's ingest notebook", () => {
    expect(Object.keys(resources(json, "databricks_notebook")).sort()).toEqual(
      [
        "device_max",
        "device_rollups",
        "events_pipeline",
        "hourly_counts",
        "magnitude_heatmap",
        "quake_alerts",
      ].map((n) => `notebooks_${n}`),
    );
  });

  it("adds the environment's job beside base.yaml's, which stay as they were", () => {
    const jobs = Object.keys(resources(json, "databricks_job")).sort();
    const base = Object.keys(referenceEnvironment("dev").config.jobs).map((k) => `job_${k}_job`);
    expect(jobs).toEqual([...base, "job_partner_drop_job"].sort());
  });

  it("runs the notebook with its own parameters beside catalog and schema, retried and time-limited", () => {
    expect(task("count")).toEqual({
      task_key: "count",
      max_retries: 2,
      timeout_seconds: 600,
      notebook_task: {
        notebook_path: "${databricks_notebook.notebooks_hourly_counts.path}",
        source: "WORKSPACE",
        base_parameters: { catalog: "seismo_dev", schema: "seismograph", window: "60" },
      },
    });
  });

  it("runs the SQL file on the environment's warehouse, after the task it depends on", () => {
    expect(resources(json, "databricks_workspace_file").sql_files_daily_counts).toMatchObject({
      path: "/Shared/lakestack/seismo-dev/sql/daily_counts.sql",
      source: expect.stringMatching(/daily_counts\.sql$/),
    });
    expect(task("report")).toEqual({
      task_key: "report",
      depends_on: [{ task_key: "count" }],
      sql_task: {
        warehouse_id: "${databricks_sql_endpoint.sql_warehouse_warehouse.id}",
        file: { path: "${databricks_workspace_file.sql_files_daily_counts.path}", source: "WORKSPACE" },
        parameters: { catalog: "seismo_dev", schema: "seismograph" },
      },
    });
  });

  it("orders tasks and their dependencies by name, so YAML order never shows in a plan", () => {
    expect(job().task.map((t: { task_key: string }) => t.task_key)).toEqual(["count", "refresh", "report"]);
    expect(task("refresh")).toMatchObject({
      depends_on: [{ task_key: "count" }, { task_key: "report" }],
      pipeline_task: {
        pipeline_id: "${databricks_pipeline.events_pipeline_pipeline.id}",
        full_refresh: false,
      },
    });
  });

  it("starts on file arrival in the lake, paused in development, with the job's parameters", () => {
    expect(job().trigger).toEqual({
      pause_status: "PAUSED",
      file_arrival: {
        url: "s3://seismo-dev-lake-500000000101/raw/landing/",
        wait_after_last_change_seconds: 120,
      },
    });
    expect(job().schedule).toBeUndefined();
    expect(job().parameter).toEqual([{ name: "partner", default: "acme" }]);
  });

  it("adds the library to the pipeline after its ingest notebook, with the configuration passed through", () => {
    const pipeline = resources(json, "databricks_pipeline").events_pipeline_pipeline;
    expect(pipeline.library).toEqual([
      { notebook: { path: "${databricks_notebook.notebooks_events_pipeline.path}" } },
      { notebook: { path: "${databricks_notebook.notebooks_device_rollups.path}" } },
    ]);
    expect(pipeline.configuration).toMatchObject({
      "rollups.window_minutes": "5",
      "lakestack.kinesis.stream_name": "${aws_kinesis_stream.events_stream.name}",
    });
    // A continuous pipeline's first update needs every notebook it runs.
    expect(pipeline.depends_on).toEqual(
      expect.arrayContaining(["databricks_notebook.notebooks_device_rollups"]),
    );
  });
});

describe("a job switched off in an environment file", () => {
  it("is gone from that environment's Terraform, and only there", () => {
    const [key] = Object.keys(referenceEnvironment("prod").config.jobs);
    const off = synthStack(variantEnvironment("prod", { jobs: { [key]: { enabled: false } } })).json;
    expect(resources(off, "databricks_job")).not.toHaveProperty(`job_${key}_job`);
    expect(Object.keys(resources(off, "databricks_job")).length).toBe(
      Object.keys(referenceEnvironment("prod").config.jobs).length - 1,
    );
  });
});

describe("the notebooks and SQL files in the repo", () => {
  const notebooksDir = join(REPO_ROOT, "notebooks");
  const files = (dir: string, ext: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(ext))
      .map((f) => join(dir, f));

  /** The Python notebooks python3 cannot parse, by file name. */
  const unparseable = (paths: string[]): string[] => {
    const script = [
      "import ast, sys",
      "for f in sys.argv[1:]:",
      "    try:",
      "        ast.parse(open(f).read(), f)",
      "    except SyntaxError:",
      "        print(f)",
    ].join("\n");
    return execFileSync("python3", ["-c", script, ...paths], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  };

  /** A notebook in Databricks source format starts with the header Databricks writes on export. */
  const header = (file: string) => readFileSync(file, "utf8").split("\n")[0];

  it("are Databricks source notebooks: every .py parses as Python", () => {
    const python = files(notebooksDir, ".py");
    expect(python.length).toBeGreaterThan(0);
    expect(python.filter((f) => header(f) !== "# Databricks notebook source")).toEqual([]);
    expect(unparseable(python)).toEqual([]);
  });

  /** What is wrong with .sql notebooks: no Databricks source header, or nothing but comments after it. */
  const sqlProblems = (paths: string[]): string[] =>
    paths.flatMap((file) => {
      const [first, ...rest] = readFileSync(file, "utf8").split("\n");
      if (first !== "-- Databricks notebook source")
        return [`${file}: no '-- Databricks notebook source' header`];
      return rest.join("\n").replace(/--.*$/gm, "").trim() === "" ? [`${file}: no SQL`] : [];
    });

  it("every .sql notebook has the SQL source header and a statement after it", () => {
    expect(sqlProblems(files(notebooksDir, ".sql"))).toEqual([]);
  });

  it("catches a .sql notebook without its header, or without SQL", () => {
    const dir = mkdtempSync(join(tmpdir(), "lakestack-notebook-"));
    const plain = join(dir, "plain.sql");
    const empty = join(dir, "empty.sql");
    writeFileSync(plain, "SELECT 1\n");
    writeFileSync(empty, "-- Databricks notebook source\n-- MAGIC %md\n\n");
    expect(sqlProblems([plain, empty])).toEqual([
      `${plain}: no '-- Databricks notebook source' header`,
      `${empty}: no SQL`,
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("catches a notebook with a syntax error", () => {
    const dir = mkdtempSync(join(tmpdir(), "lakestack-notebook-"));
    const broken = join(dir, "events_pipeline.py");
    writeFileSync(
      broken,
      readFileSync(join(notebooksDir, "events_pipeline.py"), "utf8").replace("def sensor():", "def sensor(:"),
    );
    expect(unparseable([broken])).toEqual([broken]);
    rmSync(dir, { recursive: true, force: true });
  });
});
