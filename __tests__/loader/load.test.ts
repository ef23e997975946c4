import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, formatDiagnostic } from "../../loader/diagnostics";
import { environmentNames, loadEnvironments, MAX_FILE_BYTES, mergeConfig } from "../../loader/load";
import { CONFIG_DIR, configFolder, diagnosticsOf } from "../helpers";

/** A minimal valid base: each test breaks one thing in the environment file. */
const BASE = `project: seismo
databricks:
  host: https://dbc-1.cloud.databricks.com
state:
  backend: local
`;
const DEV = `mode: development
aws:
  region: eu-west-1
  account_id: "123456789012"
`;

/** Diagnostics of an environment file that may be valid. */
function diagnosticsOrNone(dev: string): string[] {
  const dir = configFolder({ "base.yaml": BASE, "dev.yaml": dev });
  try {
    loadEnvironments(dir);
    return [];
  } catch (error) {
    return String(error).split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function only(files: Record<string, string>) {
  const diagnostics = diagnosticsOf({ "base.yaml": BASE, ...files });
  return diagnostics.map(formatDiagnostic);
}

describe("the reference environments", () => {
  it("load with defaults applied and names derived from project + environment", () => {
    const envs = loadEnvironments(CONFIG_DIR);
    expect(envs.map((e) => e.name)).toEqual(environmentNames(CONFIG_DIR));
    const prod = envs.find((e) => e.name === "prod")!;
    expect(prod.config.mode).toBe("production");
    expect(prod.names.stream).toBe("seismo-prod-events");
    expect(prod.names.lakeBucket).toBe("seismo-prod-lake-500000000303");
    expect(prod.names.catalog).toBe("seismo_prod");
    // Set in base.yaml only: located there.
    const baseLines = readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8").split("\n");
    expect(prod.locate(["project"])).toMatchObject({
      file: "config/base.yaml",
      line: baseLines.findIndex((l) => l.startsWith("project:")) + 1,
    });
    // Set in prod.yaml: the environment file wins.
    expect(prod.locate(["stream", "retention_hours"]).file).toBe("config/prod.yaml");
  });

  it("are every yaml file but base.yaml", () => {
    const files = readdirSync(CONFIG_DIR).filter((f) => f.endsWith(".yaml") && f !== "base.yaml");
    expect(environmentNames(CONFIG_DIR)).toEqual(files.map((f) => f.replace(/\.yaml$/, "")).sort());
    expect(environmentNames(CONFIG_DIR)).toEqual(expect.arrayContaining(["dev", "prod", "staging"]));
  });
});

describe("bad input is reported at file:line:col", () => {
  it("suggests the key a typo meant", () => {
    expect(only({ "dev.yaml": `${DEV}strem:\n  retention_hours: 48\n` })).toEqual([
      expect.stringMatching(/^.*dev\.yaml:5:1: strem: unknown key 'strem'; did you mean 'stream'\?$/),
    ]);
  });

  it("suggests nested keys and enum values", () => {
    const errors = only({ "dev.yaml": `${DEV}stream:\n  mode: provisoned\n  retension_hours: 48\n` });
    expect(errors).toEqual([
      expect.stringMatching(
        /dev\.yaml:6:9: stream\.mode: must be one of "on-demand", "provisioned" \(got "provisoned"\); did you mean 'provisioned'\?/,
      ),
      expect.stringMatching(
        /dev\.yaml:7:3: stream\.retension_hours: unknown key 'retension_hours'; did you mean 'retention_hours'\?/,
      ),
    ]);
  });

  it("reports every error of every environment in one run, in file order", () => {
    const errors = only({
      "dev.yaml": `${DEV}stream:\n  retention_hours: 12\nwarehouse:\n  auto_stop_minutes: 0\n`,
      "prod.yaml": DEV.replace("development", "prodution"),
    });
    expect(errors).toEqual([
      expect.stringMatching(/dev\.yaml:6:20: stream\.retention_hours: must be at least 24 \(got 12\)/),
      expect.stringMatching(/dev\.yaml:8:22: warehouse\.auto_stop_minutes: must be at least 1 \(got 0\)/),
      expect.stringMatching(
        /prod\.yaml:1:7: mode: must be one of .*\(got "prodution"\); did you mean 'production'\?/,
      ),
    ]);
  });

  it("names a missing required field and where to add it", () => {
    const errors = only({ "dev.yaml": "mode: development\naws:\n  region: eu-west-1\n" });
    expect(errors).toEqual([
      expect.stringMatching(
        /dev\.yaml:3:3: aws\.account_id: is required: add it to .*dev\.yaml or .*base\.yaml/,
      ),
    ]);
  });

  it("rejects duplicate keys", () => {
    expect(only({ "dev.yaml": `${DEV}mode: production\n` })).toEqual([
      expect.stringMatching(/dev\.yaml:5:1: duplicate key/),
    ]);
  });

  it("points at the environment file for an entry it adds, and at base.yaml for the entries it inherits", () => {
    const base = `${BASE}waivers:\n  shared:\n    rule: LS-S3-1\n    resource: aws_s3_bucket.x\n    reason: short\n`;
    const errors = diagnosticsOf({
      "base.yaml": base,
      "dev.yaml": `${DEV}waivers:\n  own:\n    rule: LS-S3-2\n    resource: aws_s3_bucket.y\n`,
    });
    expect(errors.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /base\.yaml:10:13: waivers\.shared\.reason: say why in at least 10 characters \(got "short"\)/,
      ),
      expect.stringMatching(/dev\.yaml:6:3: waivers\.own\.reason: is required/),
    ]);
  });

  it("says so when the config folder is missing", () => {
    expect(() => environmentNames("no-such-folder")).toThrow(ConfigError);
    expect(() => loadEnvironments("no-such-folder")).toThrow(/no-such-folder:1:1: no config folder here/);
  });

  it("points at base.yaml when the mistake is there", () => {
    const errors = diagnosticsOf({
      "base.yaml": `${BASE}lake:\n  force_destroy: yes-please\n`,
      "dev.yaml": DEV,
    });
    expect(errors.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/base\.yaml:7:18: lake\.force_destroy: expected boolean \(got "yes-please"\)/),
    ]);
  });

  it("rejects a provisioned stream without shards and an on-demand stream with them", () => {
    expect(only({ "dev.yaml": `${DEV}stream:\n  mode: provisioned\n` })).toEqual([
      expect.stringMatching(/stream\.shards: a provisioned stream needs a shard count/),
    ]);
    expect(only({ "dev.yaml": `${DEV}stream:\n  shards: 2\n` })).toEqual([
      expect.stringMatching(/dev\.yaml:6:11: stream\.shards: an on-demand stream scales by itself/),
    ]);
  });

  it("says how many shards a provisioned stream needs for its capacity plan", () => {
    const plan = (eventsPerSecond: number, eventBytes: number) =>
      `${DEV}stream:\n  mode: provisioned\n  shards: 1\n  capacity:\n` +
      `    peak_events_per_second: ${eventsPerSecond}\n    average_event_bytes: ${eventBytes}\n`;
    expect(only({ "dev.yaml": plan(2500, 90) })).toEqual([
      expect.stringMatching(/dev\.yaml:7:11: stream\.shards: .*set shards to at least 3/),
    ]);
    // 600 events/s of 4 KiB is 2.3 MiB/s: bytes, not records, decide.
    expect(only({ "dev.yaml": plan(600, 4096) })).toEqual([
      expect.stringMatching(/set shards to at least 3/),
    ]);
    expect(diagnosticsOrNone(plan(900, 90))).toEqual([]);
  });

  it("refuses force_destroy of the lake in production", () => {
    const errors = only({
      "dev.yaml": `${DEV.replace("development", "production")}lake:\n  force_destroy: true\n`,
    });
    expect(errors).toEqual([
      expect.stringMatching(/dev\.yaml:6:18: lake\.force_destroy: production never force-destroys/),
    ]);
  });

  it("names the YAML field to change when a derived name breaks a service's rules", () => {
    const errors = only({ "dev.yaml": `${DEV}lake:\n  bucket: ${"a".repeat(64)}\n` });
    expect(errors).toEqual([expect.stringMatching(/dev\.yaml:6:11: lake\.bucket: (S3 bucket|must)/)]);
  });

  it("rejects an environment file name that cannot name a stack", () => {
    expect(only({ "Dev_1.yaml": DEV })).toEqual([
      expect.stringMatching(/Dev_1\.yaml:1:1: environment file names are/),
    ]);
  });

  it("suggests the environment a mistyped --env meant", () => {
    expect(diagnosticsOf({ "base.yaml": BASE, "dev.yaml": DEV }, ["dve"]).map(formatDiagnostic)).toEqual([
      expect.stringMatching(/no environment 'dve'; did you mean 'dev'\?/),
    ]);
  });
});

describe("hostile files", () => {
  it("refuses a file over the size cap before parsing it", () => {
    const huge = `${DEV}# ${"x".repeat(MAX_FILE_BYTES)}\n`;
    expect(only({ "dev.yaml": huge })).toEqual([
      expect.stringMatching(/dev\.yaml:1:1: file is \d+ bytes; lakestack reads config files of at most/),
    ]);
  });

  it("refuses deep nesting before the parser recurses into it", () => {
    const flow = `${DEV}tags: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
    expect(only({ "dev.yaml": flow })).toEqual([
      expect.stringMatching(/dev\.yaml:5:\d+: nesting deeper than 32 levels/),
    ]);
    const block = `${DEV}${Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")} x\n`;
    expect(only({ "dev.yaml": block })).toEqual([expect.stringMatching(/nesting deeper than 32 levels/)]);
    // "- - - …" nests a sequence per dash on a single line.
    const compact = `${DEV}jobs:\n  ${"- ".repeat(5000)}x\n`;
    expect(only({ "dev.yaml": compact })).toEqual([
      expect.stringMatching(/dev\.yaml:6:\d+: nesting deeper than 32 levels/),
    ]);
  });

  it("stops alias expansion bombs", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const bomb = `${DEV}tags:\n${levels.map((l) => `  ${l}`).join("\n")}\n`;
    expect(only({ "dev.yaml": bomb })).toEqual([
      expect.stringMatching(/dev\.yaml:1:1: cannot expand aliases: .*alias/i),
    ]);
  });

  it.each(["__proto__", "constructor", "prototype"])("rejects the key %s wherever it is", (key) => {
    expect(only({ "dev.yaml": `${DEV}stream:\n  ${key}:\n    polluted: true\n` })).toEqual([
      expect.stringMatching(new RegExp(`dev\\.yaml:6:3: the key '${key}' is not allowed`)),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("merges base and environment without touching any prototype", () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": {"__proto__": {"polluted": true}}}');
    const merged = mergeConfig({ a: { b: 1 } }, hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged).toEqual({ a: { b: 1 } });
  });

  it("lists and scalars from the environment replace the base's; maps, named entries included, merge", () => {
    expect(mergeConfig({ a: { x: 1, y: [1, 2] }, b: 1 }, { a: { y: [3] }, b: 2 })).toEqual({
      a: { x: 1, y: [3] },
      b: 2,
    });
  });

  it("keeps Terraform expressions out of every free-text field", () => {
    const injected = 'x-${file("/etc/passwd")}';
    const yaml = [
      DEV.trimEnd(),
      "tags:",
      `  owner: ${injected}`,
      '  team: "%{ if true }x%{ endif }"',
      "sharing:",
      "  recipients:",
      "    partner:",
      "      auth: token",
      `      comment: ${injected}`,
      "warehouse:",
      "  tags:",
      `    purpose: ${injected}`,
      "jobs:",
      "  chart:",
      "    tasks: { chart: { notebook: device_max, parameters: { since: '${timestamp()}' } } }",
      "    schedule:",
      "      cron: 0 0 * * * ?",
      `      timezone: ${injected}`,
      "",
    ].join("\n");
    expect(only({ "dev.yaml": yaml })).toEqual([
      expect.stringMatching(/dev\.yaml:6:10: tags\.owner: must not contain '\$\{' or '%\{'/),
      expect.stringMatching(/dev\.yaml:7:9: tags\.team: must not contain/),
      expect.stringMatching(/dev\.yaml:12:16: sharing\.recipients\.partner\.comment: must not contain/),
      expect.stringMatching(/dev\.yaml:15:14: warehouse\.tags\.purpose: must not contain/),
      expect.stringMatching(
        /dev\.yaml:18:66: jobs\.chart\.tasks\.chart\.parameters\.since: must not contain/,
      ),
      expect.stringMatching(/dev\.yaml:21:17: jobs\.chart\.schedule\.timezone: must not contain/),
    ]);
  });
});

describe("the reference files", () => {
  const files = ["base.yaml", ...environmentNames(CONFIG_DIR).map((e) => `${e}.yaml`)];

  it.each(files)("%s points editors at the schema", (file) => {
    expect(readFileSync(join(CONFIG_DIR, file), "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=./lakestack.schema.json",
    );
  });

  it("adding an environment is adding one file", () => {
    const dir = configFolder({
      "base.yaml": readFileSync(join(CONFIG_DIR, "base.yaml"), "utf8"),
      "qa.yaml": readFileSync(join(CONFIG_DIR, "staging.yaml"), "utf8"),
    });
    try {
      const [qa] = loadEnvironments(dir);
      expect(qa.name).toBe("qa");
      expect(qa.names.stream).toBe("seismo-qa-events");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
