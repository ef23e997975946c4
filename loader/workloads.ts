/**
 * The workloads a config may name: notebooks in notebooks/ (Databricks source format, `.py` or `.sql`)
 * and SQL files in sql/ that run on the environment's SQL warehouse. YAML names them by file name without
 * the extension; nothing in code lists them.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { closest } from "./diagnostics";
import type { EnvironmentConfig } from "./schema";

export type NotebookLanguage = "PYTHON" | "SQL";

export interface Workload {
  /** File name without the extension: what YAML names it by. */
  readonly name: string;
  /** Absolute path of the file. */
  readonly file: string;
  readonly language: NotebookLanguage;
}

export interface Workloads {
  /** Folder of the notebooks, `<root>/notebooks`. */
  readonly notebooksDir: string;
  /** Folder of the SQL files, `<root>/sql`. */
  readonly sqlDir: string;
  readonly notebooks: ReadonlyMap<string, Workload>;
  readonly sqlFiles: ReadonlyMap<string, Workload>;
  /** Names of notebooks that exist as both `.py` and `.sql`, which YAML cannot tell apart. */
  readonly ambiguous: ReadonlySet<string>;
}

/** The notebook the pipeline ingests Kinesis with: lakestack's own, always uploaded. */
export const INGEST_NOTEBOOK = "events_pipeline";

const LANGUAGES: Readonly<Record<string, NotebookLanguage>> = { ".py": "PYTHON", ".sql": "SQL" };

/** The notebooks and SQL files under `root` (its notebooks/ and sql/ folders; either may be missing). */
export function readWorkloads(root: string): Workloads {
  const notebooksDir = join(root, "notebooks");
  const sqlDir = join(root, "sql");
  const notebooks = new Map<string, Workload>();
  const ambiguous = new Set<string>();
  for (const { name, ext, file } of filesIn(notebooksDir)) {
    const language = LANGUAGES[ext];
    if (!language) continue;
    if (notebooks.has(name)) ambiguous.add(name);
    notebooks.set(name, { name, file, language });
  }
  const sqlFiles = new Map<string, Workload>();
  for (const { name, ext, file } of filesIn(sqlDir)) {
    if (ext === ".sql") sqlFiles.set(name, { name, file, language: "SQL" });
  }
  return { notebooksDir, sqlDir, notebooks, sqlFiles, ambiguous };
}

function filesIn(dir: string): { name: string; ext: string; file: string }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const dot = entry.lastIndexOf(".");
      const file = join(dir, entry);
      if (dot <= 0 || !statSync(file).isFile()) return [];
      return [{ name: entry.slice(0, dot), ext: entry.slice(dot), file }];
    });
}

export interface WorkloadIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** The issue is about the key at the end of the path, not its value. */
  readonly atKey?: boolean;
}

/** The notebooks an environment uploads: the ingest notebook, then every one its YAML names, by name. */
export function notebooksUsed(config: EnvironmentConfig): string[] {
  const names = new Set([INGEST_NOTEBOOK, ...Object.keys(config.pipeline.libraries)]);
  for (const job of Object.values(config.jobs)) {
    for (const task of Object.values(job.tasks)) if (task.notebook) names.add(task.notebook);
  }
  return [...names];
}

/** The SQL files an environment uploads, by name. */
export function sqlFilesUsed(config: EnvironmentConfig): string[] {
  const names = new Set<string>();
  for (const job of Object.values(config.jobs)) {
    for (const task of Object.values(job.tasks)) if (task.sql_file) names.add(task.sql_file);
  }
  return [...names];
}

/** Every workload the YAML names exists, once, where lakestack looks for it. */
export function checkWorkloads(config: EnvironmentConfig, workloads: Workloads): WorkloadIssue[] {
  const issues: WorkloadIssue[] = [];
  const notebook = (name: string, path: readonly PropertyKey[], atKey = false) => {
    const problem = notebookProblem(name, workloads);
    if (problem) issues.push({ path, message: problem, atKey });
  };
  if (!workloads.notebooks.has(INGEST_NOTEBOOK)) {
    issues.push({
      path: ["pipeline"],
      message: `the pipeline's ingest notebook ${INGEST_NOTEBOOK}.py is missing from notebooks/`,
    });
  }
  for (const name of Object.keys(config.pipeline.libraries)) {
    if (name === INGEST_NOTEBOOK) {
      issues.push({
        path: ["pipeline", "libraries", name],
        message: `${INGEST_NOTEBOOK} is the pipeline's ingest notebook and always runs; name only the notebooks you add`,
        atKey: true,
      });
    } else notebook(name, ["pipeline", "libraries", name], true);
  }
  for (const [jobKey, job] of Object.entries(config.jobs)) {
    for (const [taskKey, task] of Object.entries(job.tasks)) {
      const at = ["jobs", jobKey, "tasks", taskKey];
      if (task.notebook !== undefined) notebook(task.notebook, [...at, "notebook"]);
      if (task.sql_file !== undefined && !workloads.sqlFiles.has(task.sql_file)) {
        const hint = closest(task.sql_file, [...workloads.sqlFiles.keys()]);
        issues.push({
          path: [...at, "sql_file"],
          message: `no SQL file sql/${task.sql_file}.sql${hint ? `; did you mean '${hint}'?` : ""}`,
        });
      }
    }
  }
  // Each notebook's upload sits beside it as `<name>_source`: a notebook of that name would take its place.
  const used = new Set(notebooksUsed(config));
  for (const name of used) {
    if (name.endsWith("_source") && used.has(name.slice(0, -"_source".length))) {
      issues.push({
        path: ["jobs"],
        message: `notebooks '${name.slice(0, -"_source".length)}' and '${name}' cannot both be used: rename ${name}`,
      });
    }
  }
  return issues;
}

function notebookProblem(name: string, workloads: Workloads): string | undefined {
  if (workloads.ambiguous.has(name)) {
    return `notebooks/ holds both ${name}.py and ${name}.sql: rename one so the name says which`;
  }
  if (workloads.notebooks.has(name)) return undefined;
  const hint = closest(
    name,
    [...workloads.notebooks.keys()].filter((n) => n !== INGEST_NOTEBOOK),
  );
  return `no notebook notebooks/${name}.py or .sql${hint ? `; did you mean '${hint}'?` : ""}`;
}
