/**
 * Named entries (jobs, tasks, recipients, grants, permissions, shared objects, waivers) are maps keyed by
 * name: files merge them entry by entry, `enabled: false` is the one way to drop one, and every problem is
 * reported where the entry or field is written.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { formatDiagnostic } from "../../loader/diagnostics";
import { loadEnvironments } from "../../loader/load";
import { CONFIG_DIR, configFolder, diagnosticsOf, workloadsFolder } from "../helpers";

const BASE = `project: seismo
databricks:
  host: https://dbc-1.cloud.databricks.com
state:
  backend: local
jobs:
  chart:
    tasks:
      chart: { notebook: device_max }
    schedule:
      cron: "0 0 * * * ?"
      timezone: UTC
  heatmap:
    tasks:
      heatmap: { notebook: magnitude_heatmap }
`;
const DEV = `mode: development
aws:
  region: eu-west-1
  account_id: "123456789012"
`;

/** The one environment of a folder with the given base and environment files. */
function load(dev: string, base = BASE) {
  const dir = configFolder({ "base.yaml": base, "dev.yaml": dev });
  try {
    return loadEnvironments(dir)[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The problems of a dev.yaml (and base.yaml), formatted, with the folder's path left out. */
function problems(dev: string, base = BASE): string[] {
  return diagnosticsOf({ "base.yaml": base, "dev.yaml": dev }).map((d) =>
    formatDiagnostic(d).replace(/^.*\/(\w+\.yaml)/, "$1"),
  );
}

describe("merging by key", () => {
  it("one job in an environment file leaves the base file's jobs in place", () => {
    const dev = load(`${DEV}jobs:\n  extra:\n    tasks:\n      run: { notebook: quake_alerts }\n`);
    expect(Object.keys(dev.config.jobs)).toEqual(["chart", "heatmap", "extra"]);
    expect(dev.locate(["jobs", "extra"]).file).toMatch(/dev\.yaml$/);
    expect(dev.locate(["jobs", "chart"]).file).toMatch(/base\.yaml$/);
  });

  it("the same holds for the reference files: staging keeps every job base.yaml defines", () => {
    const base = readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8");
    const staging = `${readFileSync(join(CONFIG_DIR, "staging.yaml"), "utf8")}\njobs:\n  extra:\n    tasks:\n      run: { notebook: device_max }\n`;
    const loaded = load(staging, base);
    const reference = loadEnvironments(CONFIG_DIR, ["staging"])[0];
    expect(Object.keys(loaded.config.jobs)).toEqual([...Object.keys(reference.config.jobs), "extra"]);
  });

  it("fields inside an entry merge like maps, each located in the file that sets it", () => {
    const dev = load(`${DEV}jobs:\n  chart:\n    schedule:\n      paused: true\n`);
    expect(dev.config.jobs.chart.schedule).toEqual({ cron: "0 0 * * * ?", timezone: "UTC", paused: true });
    expect(dev.config.jobs.chart.tasks).toEqual(load(DEV).config.jobs.chart.tasks);
    expect(dev.locate(["jobs", "chart", "schedule", "cron"])).toMatchObject({
      file: expect.stringMatching(/base\.yaml$/),
      line: 11,
    });
    expect(dev.locate(["jobs", "chart", "schedule", "paused"])).toMatchObject({
      file: expect.stringMatching(/dev\.yaml$/),
      line: 8,
    });
  });

  it("drops an inherited entry only when told: enabled: false", () => {
    expect(Object.keys(load(`${DEV}jobs:\n  chart: { enabled: false }\n`).config.jobs)).toEqual(["heatmap"]);
    const tasks = `${BASE}    tasks:\n      a: { notebook: device_max }\n`;
    expect(tasks).toContain("heatmap");
  });

  it("refuses an entry written without fields, saying how to switch it off", () => {
    expect(problems(`${DEV}jobs:\n  chart:\n`)).toEqual([
      "dev.yaml:6:3: jobs.chart: has no fields; an entry needs them, and to switch off the one base.yaml defines write 'chart: { enabled: false }'",
    ]);
  });

  it("reports a bad name at the name", () => {
    expect(problems(`${DEV}jobs:\n  Chart-2:\n    tasks: { a: { notebook: device_max } }\n`)).toEqual([
      "dev.yaml:6:3: jobs.Chart-2: 'Chart-2': job names are lowercase letters, digits and _, starting with a letter",
    ]);
  });
});

describe("the list shape of earlier versions", () => {
  it.each([
    [
      "jobs",
      "jobs:\n  - key: extra\n    tasks: { a: { notebook: device_max } }\n",
      "dev.yaml:6:3: jobs: a map keyed by its name now, not a list: write 'extra: { tasks: { a: { notebook: device_max } } }' in place of '- key: extra'",
    ],
    [
      "tasks",
      "jobs:\n  extra:\n    tasks:\n      - key: a\n        notebook: device_max\n",
      "dev.yaml:8:7: jobs.extra.tasks: a map keyed by its name within the job now, not a list: write 'a: { notebook: device_max }' in place of '- key: a'",
    ],
    [
      "recipients",
      "sharing:\n  recipients:\n    - name: partner\n      auth: databricks\n",
      "dev.yaml:7:5: sharing.recipients: a map keyed by its name in Unity Catalog now, not a list: write 'partner: { auth: databricks }' in place of '- name: partner'",
    ],
    [
      "grants",
      "unity_catalog:\n  catalog_grants:\n    - principal: analysts\n      privileges: [USE_CATALOG]\n",
      "dev.yaml:7:5: unity_catalog.catalog_grants: a map keyed by its principal now, not a list: write 'analysts: { privileges: [ USE_CATALOG ] }' in place of '- principal: analysts'",
    ],
    [
      "permissions",
      "warehouse:\n  permissions:\n    - user: ada@example.com\n      level: CAN_USE\n",
      "dev.yaml:7:5: warehouse.permissions: a map keyed by its principal now, not a list: write 'ada@example.com: { level: CAN_USE }' in place of '- user: ada@example.com'",
    ],
    [
      "waivers",
      "waivers:\n  - rule: LS-S3-3\n    resource: aws_s3_bucket.x\n    reason: the page is public\n",
      "dev.yaml:6:3: waivers: a map keyed by a short name you choose now, not a list: write 'my-waiver:' with its other fields indented under it in place of '- rule: …' (my-waiver: a name you choose)",
    ],
  ])("%s: refused at the list, showing the new form of its first entry", (_, yaml, message) => {
    expect(problems(`${DEV}${yaml}`)).toEqual([message]);
  });
});

describe("permissions keyed by principal", () => {
  const permissions = (entries: string) =>
    load(`${DEV}warehouse:\n  permissions:\n${entries}`).config.warehouse.permissions;

  it("infer the kind from the key, and take an explicit kind over it", () => {
    expect(
      permissions(
        "    analysts: { level: CAN_USE }\n    ada@example.com: { level: CAN_MANAGE }\n" +
          "    6f2c1e94-3a7b-4c1d-9e8f-2b5a7c9d0e13: { level: CAN_USE }\n    ops@example.com: { level: CAN_VIEW, kind: group }\n",
      ),
    ).toEqual({
      analysts: { level: "CAN_USE", kind: "group", enabled: true },
      "ada@example.com": { level: "CAN_MANAGE", kind: "user", enabled: true },
      "6f2c1e94-3a7b-4c1d-9e8f-2b5a7c9d0e13": { level: "CAN_USE", kind: "service_principal", enabled: true },
      "ops@example.com": { level: "CAN_VIEW", kind: "group", enabled: true },
    });
  });

  it("refuse a key that is not what its kind says, at the key", () => {
    expect(
      problems(
        `${DEV}warehouse:\n  permissions:\n    deployer: { level: CAN_USE, kind: service_principal }\n`,
      ),
    ).toEqual([
      "dev.yaml:7:5: warehouse.permissions.deployer: 'deployer' is not a service principal's application id (a UUID such as 6f2c1e94-3a7b-4c1d-9e8f-2b5a7c9d0e13)",
    ]);
  });
});

describe("tasks", () => {
  const job = (tasks: string) => `${DEV}jobs:\n  extra:\n    tasks:\n${tasks}`;

  it("depend only on tasks of their job that run, each dependency reported where it is written", () => {
    expect(
      problems(
        job(
          "      a: { notebook: device_max, depends_on: [b, c] }\n      b: { notebook: device_max, enabled: false }\n",
        ),
      ),
    ).toEqual([
      "dev.yaml:8:47: jobs.extra.tasks.a.depends_on[0]: task 'b' is switched off (enabled: false)",
      "dev.yaml:8:50: jobs.extra.tasks.a.depends_on[1]: no task 'c' in this job (tasks: a)",
    ]);
  });

  it("refuse a circle of dependencies at the dependency that closes it", () => {
    expect(
      problems(
        job(
          "      a: { notebook: device_max, depends_on: [c] }\n      b: { notebook: device_max, depends_on: [a] }\n      c: { notebook: device_max, depends_on: [b] }\n",
        ),
      ),
    ).toEqual([
      "dev.yaml:9:47: jobs.extra.tasks.b.depends_on[0]: tasks depend on each other in a circle (a → c → b → a), so none of them can start",
    ]);
  });

  it("run exactly one thing", () => {
    expect(
      problems(job("      a: { notebook: device_max, sql_file: counts }\n      b: { max_retries: 1 }\n")),
    ).toEqual([
      "dev.yaml:8:44: jobs.extra.tasks.a.sql_file: a task runs one thing: notebook or sql_file, not both",
      "dev.yaml:9:7: jobs.extra.tasks.b: a task runs a notebook, a sql_file, or pipeline_refresh: true",
    ]);
  });

  it("name notebooks and SQL files that exist, with the one a typo meant", () => {
    const root = workloadsFolder({ "sql/daily_counts.sql": "SELECT 1\n" });
    try {
      const dir = configFolder({
        "base.yaml": BASE,
        "dev.yaml": job("      a: { notebook: device_mx }\n      b: { sql_file: daily_count }\n"),
      });
      let message = "";
      try {
        loadEnvironments(dir, undefined, { workloadsRoot: root });
      } catch (error) {
        message = String(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(message).toContain(
        "dev.yaml:8:22: jobs.extra.tasks.a.notebook: no notebook notebooks/device_mx.py or .sql; did you mean 'device_max'?",
      );
      expect(message).toContain(
        "dev.yaml:9:22: jobs.extra.tasks.b.sql_file: no SQL file sql/daily_count.sql; did you mean 'daily_counts'?",
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuse a pipeline refresh in production, where the pipeline runs continuously", () => {
    expect(
      problems(job("      a: { pipeline_refresh: true }\n").replace("development", "production")),
    ).toEqual([
      "dev.yaml:8:30: jobs.extra.tasks.a.pipeline_refresh: production runs the pipeline continuously; a refresh task only fits triggered (development) pipelines",
    ]);
  });

  it("run SQL files only where the environment has its warehouse", () => {
    const root = workloadsFolder({ "sql/counts.sql": "SELECT 1\n" });
    const dir = configFolder({
      "base.yaml": BASE,
      "dev.yaml": `${job("      a: { sql_file: counts }\n")}warehouse:\n  enabled: false\n`,
    });
    try {
      expect(() => loadEnvironments(dir, undefined, { workloadsRoot: root })).toThrow(
        /dev\.yaml:8:22: jobs\.extra\.tasks\.a\.sql_file: a SQL file task runs on the environment's SQL warehouse, which warehouse\.enabled: false turns off/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("leave catalog and schema to lakestack, at the parameter's name", () => {
    expect(problems(job("      a: { notebook: device_max, parameters: { schema: other } }\n"))).toEqual([
      "dev.yaml:8:48: jobs.extra.tasks.a.parameters.schema: lakestack passes 'schema' to every task itself (the environment's schema); choose another name",
    ]);
  });
});

describe("triggers", () => {
  const job = (extra: string) => `${DEV}jobs:\n  drop:\n    tasks: { a: { notebook: device_max } }\n${extra}`;

  it("start a job on a schedule or on file arrival, not both", () => {
    expect(
      problems(job('    schedule: { cron: "0 0 * * * ?" }\n    file_arrival: { path: raw/landing/ }\n')),
    ).toEqual([
      "dev.yaml:9:19: jobs.drop.file_arrival: a job starts either on a schedule or on file arrival, not both: remove one",
    ]);
  });

  it("watch a folder of the lake outside the catalog's managed tables", () => {
    expect(problems(job("    file_arrival: { path: raw/landing }\n"))).toEqual([
      `dev.yaml:8:27: jobs.drop.file_arrival.path: a folder of the data lake relative to its root, ending in '/', e.g. raw/landing/ (got "raw/landing")`,
    ]);
    expect(problems(job("    file_arrival: { path: curated/seismo/ }\n"))).toEqual([
      `dev.yaml:8:27: jobs.drop.file_arrival.path: curated/ holds the catalog's managed tables; watch a folder under raw/ or processed/ (got "curated/seismo/")`,
    ]);
  });
});

describe("the pipeline's own notebooks and settings", () => {
  it("refuse the ingest notebook as a library", () => {
    expect(problems(`${DEV}pipeline:\n  libraries:\n    events_pipeline: {}\n`)).toEqual([
      "dev.yaml:7:5: pipeline.libraries.events_pipeline: events_pipeline is the pipeline's ingest notebook and always runs; name only the notebooks you add",
    ]);
  });

  it("refuse lakestack's own configuration keys, at the key", () => {
    expect(problems(`${DEV}pipeline:\n  configuration:\n    lakestack.kinesis.region: x\n`)).toEqual([
      "dev.yaml:7:5: pipeline.configuration.lakestack.kinesis.region: keys starting with 'lakestack.' are lakestack's own (the ingest notebook's settings); choose another prefix",
    ]);
  });
});
