import { diffEnvironments, renderDiff, type ConfigDifference, type DiffSide } from "../../views/diff";
import { lineOf, referenceEnvironment, variantEnvironment } from "./support";

describe("diff staging prod", () => {
  const staging = referenceEnvironment("staging");
  const prod = referenceEnvironment("prod");
  const diff = diffEnvironments(staging, prod);
  const at = (path: string): ConfigDifference | undefined => diff.differences.find((d) => d.path === path);
  const paths = diff.differences.map((d) => d.path);

  it("reports the values that really differ, each side with its own value", () => {
    expect(at("aws.account_id")?.left?.value).toBe(staging.config.aws.account_id);
    expect(at("aws.account_id")?.right?.value).toBe(prod.config.aws.account_id);
    expect(at("stream.retention_hours")).toMatchObject({
      left: { value: staging.config.stream.retention_hours },
      right: { value: prod.config.stream.retention_hours },
    });
    expect(at("http_ingest.throttle_rate")).toMatchObject({
      left: { value: staging.config.http_ingest.throttle_rate },
      right: { value: prod.config.http_ingest.throttle_rate },
    });
  });

  it("leaves out everything the two share, however it was set", () => {
    expect(staging.config.mode).toBe(prod.config.mode);
    for (const equal of [
      "mode",
      "project",
      "databricks.host",
      "state.bucket",
      "stream.mode",
      "unity_catalog.schema",
    ]) {
      expect(paths).not.toContain(equal);
    }
    // Both inherit the jobs from base.yaml: no path under jobs differs.
    expect(paths.filter((p) => p.startsWith("jobs"))).toEqual([]);
    expect(diffEnvironments(prod, referenceEnvironment("prod")).differences).toEqual([]);
  });

  it("names entries by their key, and shows an entry only one side has as a whole", () => {
    const onlyStaging = Object.keys(staging.config.sharing.recipients).map((r) => `sharing.recipients.${r}`);
    const onlyProd = Object.keys(prod.config.sharing.recipients).map((r) => `sharing.recipients.${r}`);
    for (const path of onlyStaging) {
      expect(at(path)?.left).toBeDefined();
      expect(at(path)?.right).toBeUndefined();
    }
    for (const path of onlyProd) {
      expect(at(path)?.left).toBeUndefined();
      expect(at(path)?.right).toBeDefined();
    }
    expect(at(onlyProd[0])?.right?.value).toEqual(Object.values(prod.config.sharing.recipients)[0]);
    // Set in the file, at its name: not a default, even as the first entry of its map.
    expect(at(onlyProd[0])?.right).toMatchObject({
      isDefault: false,
      position: prod.locateKey(["sharing", "recipients", Object.keys(prod.config.sharing.recipients)[0]]),
    });
  });

  it("points every value a file sets at the line that sets it, in the file that sets it", () => {
    const sides = diff.differences.flatMap((d) => [d.left, d.right]).filter((s): s is DiffSide => !!s);
    const set = sides.filter((s) => !s.isDefault);
    expect(set.length).toBeGreaterThan(10);
    for (const difference of diff.differences) {
      const key = difference.path
        .replace(/\[([^\]]+)\]$/, ".$1")
        .split(".")
        .pop()!;
      for (const side of [difference.left, difference.right]) {
        if (!side || side.isDefault) continue;
        expect(`${difference.path} → ${lineOf(side.position.file, side.position.line)}`).toContain(key);
      }
    }
    // throttle_rate: staging inherits it from base.yaml, prod sets its own.
    expect(at("http_ingest.throttle_rate")?.left?.position.file).toBe("config/base.yaml");
    expect(at("http_ingest.throttle_rate")?.right?.position.file).toBe("config/prod.yaml");
  });

  it("marks values no file sets as defaults", () => {
    const memory = at("http_ingest.memory_mb");
    expect(memory?.left).toMatchObject({ value: 256, isDefault: true });
    expect(memory?.right).toMatchObject({ value: prod.config.http_ingest.memory_mb, isDefault: false });
  });

  it("renders one block per difference with each side's value and position", () => {
    const text = renderDiff(diff);
    expect(text.split("\n")[0]).toBe(`staging ↔ prod: ${diff.differences.length} differences`);
    expect(text).toMatch(
      /^stream\.retention_hours\n {2}staging {2}\d+ {2}\(config\/staging\.yaml:\d+:\d+\)$/m,
    );
    expect(text).toMatch(/^ {2}staging {2}256 {2}\(default\)$/m);
    expect(text).toContain("(not set)");
    expect(renderDiff(diffEnvironments(prod, prod))).toBe("prod and prod have the same config\n");
  });
});

describe("diff of a job an environment file changes", () => {
  it("reports only the field the environment sets, at the line that sets it, against base.yaml's", () => {
    const prod = referenceEnvironment("prod");
    const [key] = Object.keys(prod.config.jobs);
    const cron = variantEnvironment("prod", [[["jobs", key, "schedule", "cron"], "0 0 3 * * ?"]]);
    const differences = diffEnvironments(prod, cron).differences;
    expect(differences.map((d) => d.path)).toEqual([`jobs.${key}.schedule.cron`]);
    const [{ left, right }] = differences;
    expect(right?.value).toBe("0 0 3 * * ?");
    expect(left?.position.file).toBe("config/base.yaml");
    expect(lineOf(left!.position.file, left!.position.line)).toContain("cron:");
    expect(right?.position.file).toMatch(/prod\.yaml$/);
    // The rest of the job still comes from base.yaml: the environment changed one field of one entry.
    expect(cron.locate(["jobs", key, "tasks"]).file).toMatch(/base\.yaml$/);
    expect(cron.config.jobs[key].tasks).toEqual(prod.config.jobs[key].tasks);
  });
});
