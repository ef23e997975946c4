/**
 * Mistakes users make in YAML, each made in a copy of the reference config and validated the way a user
 * runs it: exit code 1, one plain message at the file, line and column to change.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_DIR } from "../helpers";
import { lakestack, STACK_TRACE } from "../lakestack";

let cwd: string;
const original = readFileSync(join(CONFIG_DIR, "dev.yaml"), "utf8");

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "lakestack-mistakes-"));
  cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** dev.yaml with `from` replaced by `to`, validated; the file is restored afterwards. */
async function validateDev(from: string, to: string) {
  if (!original.includes(from)) throw new Error(`'${from}' is not in dev.yaml`);
  const text = original.replace(from, to);
  writeFileSync(join(cwd, "config", "dev.yaml"), text);
  try {
    const result = await lakestack(cwd, "validate", "--env", "dev");
    expect(result.stderr).not.toMatch(STACK_TRACE);
    return { ...result, text, errors: result.stderr.split("\n").filter((l) => /^config\//.test(l)) };
  } finally {
    writeFileSync(join(cwd, "config", "dev.yaml"), original);
  }
}

/** `config/dev.yaml:<line>:<col>` of `part` inside the first line of `text` holding `needle`. */
function at(text: string, needle: string, part = needle): string {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`'${needle}' not in the file`);
  return `config/dev.yaml:${line + 1}:${lines[line].indexOf(needle) + needle.indexOf(part) + 1}`;
}

const QUAKE = "  quake_alerts:\n    parameters:\n      min_devices: 1";
const schedule = (cron: string, timezone = "UTC") =>
  `  quake_alerts:\n    schedule:\n      cron: "${cron}"\n      timezone: ${timezone}`;

describe("values that only failed at apply", () => {
  it("a Quartz cron minute out of range, pointed at inside the string", async () => {
    const { code, errors, text } = await validateDev(QUAKE, schedule("0 75 * * * ?"));
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, '"0 75', "75")}: jobs.quake_alerts.schedule.cron: not a Quartz cron Databricks accepts: 75 is out of range for minutes: 0-59 (got "0 75 * * * ?")`,
    ]);
  });

  it("a Quartz cron choosing days in both day fields", async () => {
    const { code, errors, text } = await validateDev(QUAKE, schedule("0 0 12 * * *"));
    expect(code).toBe(1);
    expect(errors).toEqual([
      expect.stringContaining(
        `${at(text, '"0 0 12 * * *"', '*"')}: jobs.quake_alerts.schedule.cron: not a Quartz cron Databricks accepts: day-of-month ('*') and day-of-week ('*') both choose days; Quartz needs '?' in one of them`,
      ),
    ]);
  });

  it("a time zone with a typo, with the zone it meant", async () => {
    const { code, errors, text } = await validateDev(QUAKE, schedule("0 0 * * * ?", "Europe/Dubln"));
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "Europe/Dubln")}: jobs.quake_alerts.schedule.timezone: 'Europe/Dubln' is not an IANA time zone; did you mean 'Europe/Dublin'?`,
    ]);
  });

  it("a region AWS does not have, with the region it meant and the way to accept a newer one", async () => {
    const { code, errors, text } = await validateDev("region: eu-west-1", "region: eu-west-7");
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "eu-west-7")}: aws.region: 'eu-west-7' is not an AWS region lakestack knows; did you mean 'eu-west-1'? (a region newer than lakestack's list: set aws.accept_unlisted_region: true)`,
    ]);
  });

  it("a service principal that is not an application id", async () => {
    const { code, errors, text } = await validateDev(
      "mode: development\n",
      "mode: development\ndatabricks:\n  run_as:\n    service_principal: my-sp\n",
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "my-sp")}: databricks.run_as.service_principal: must be a service principal's application id, a UUID such as 6f2c1e94-3a7b-4c1d-9e8f-2b5a7c9d0e13 (got "my-sp")`,
    ]);
  });

  it("a workspace host that is not a Databricks on AWS workspace URL", async () => {
    const { code, errors, text } = await validateDev(
      "mode: development\n",
      "mode: development\ndatabricks:\n  host: dbc-4f1c2a9e-7b3d.cloud.databricks.com\n",
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "dbc-4f1c2a9e")}: databricks.host: start with https://, e.g. https://dbc-4f1c2a9e-7b3d.cloud.databricks.com (got "dbc-4f1c2a9e-7b3d.cloud.databricks.com")`,
    ]);
  });

  it("a config file ending in .yml, which would otherwise be ignored", async () => {
    writeFileSync(join(cwd, "config", "uat.yml"), original);
    try {
      const { code, stderr } = await lakestack(cwd, "validate");
      expect(code).toBe(1);
      expect(stderr).toContain(
        "config/uat.yml:1:1: lakestack reads .yaml files only: rename uat.yml to uat.yaml",
      );
    } finally {
      rmSync(join(cwd, "config", "uat.yml"));
    }
  });

  it("a Databricks token pasted into a comment", async () => {
    const token = `dapi${"0123456789abcdef".repeat(2)}`;
    const { code, errors, text } = await validateDev(
      "mode: development\n",
      `mode: development # until CI has its secret: ${token}\n`,
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "# until")}: LS-SEC-1: comment: looks like a Databricks personal access token; fix: Remove it and rotate it; give credentials to Terraform through the environment (DATABRICKS_TOKEN, AWS profiles) or a secret store.`,
    ]);
    expect(errors.join("\n")).not.toContain(token);
  });
});

describe("YAML syntax, in plain words at the line to change", () => {
  it("a key indented by 3 spaces, reported at that key rather than the line above", async () => {
    const { code, errors, text } = await validateDev("  shards: 1", "   shards: 1");
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "   shards", "shards")}: 'shards' is indented 3 spaces, deeper than 'mode' on line ${Number(at(text, "mode: provisioned").split(":")[1])}, which already has a value: line it up with 'mode' (2 spaces)`,
    ]);
  });

  it("a key indented by 1 space, with the indentations that would line up", async () => {
    const { code, errors, text } = await validateDev("  shards: 1", " shards: 1");
    expect(code).toBe(1);
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${at(text, " shards").replace(/:\d+$/, ":1")}: this line is indented 1 space, which lines up with no key above it: indent 2 to line up with 'mode'`,
        ),
      ),
    ]);
  });

  it("a missing space after a colon", async () => {
    const { code, errors, text } = await validateDev("  memory_mb: 256", "  memory_mb:256");
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "memory_mb:256", "256")}: missing space after ':' in 'memory_mb:256': write 'memory_mb: 256'`,
    ]);
  });

  it("an unclosed quote, at the line where it opens", async () => {
    const { code, errors, text } = await validateDev(
      'account_id: "500000000101"',
      'account_id: "500000000101',
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, '"500000000101')}: the quote opened here is never closed: add the closing " where the value ends`,
    ]);
  });

  it("a tab", async () => {
    const { code, errors, text } = await validateDev("  retention_hours: 24", "\tretention_hours: 24");
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "\tretention_hours").replace(/:\d+$/, ":1")}: a tab indents this line; YAML indents with spaces only: replace the tab with spaces`,
    ]);
  });

  it("a second document after '---', which would otherwise need yaml's API to explain", async () => {
    const { code, errors, text } = await validateDev(
      "mode: development\n",
      "mode: development\n---\nmode: production\n",
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "---")}: a second YAML document starts here: a lakestack file holds one document, so remove this '---' and merge what follows into the first`,
    ]);
  });

  it("a duplicate key, named, with where it was set first", async () => {
    const { code, errors, text } = await validateDev("  shards: 1\n", "  shards: 1\n  mode: on-demand\n");
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "mode: on-demand")}: duplicate key 'mode' (already set on line ${Number(at(text, "mode: provisioned").split(":")[1])}): each key may appear once in a mapping, so keep one`,
    ]);
  });

  it("an account id without quotes that lost its leading zero", async () => {
    const { code, errors, text } = await validateDev(
      'account_id: "500000000101"',
      "account_id: 012345678901",
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "012345678901")}: aws.account_id: YAML reads 012345678901 as the number 12345678901, dropping the leading zero: quote it, "012345678901"`,
    ]);
  });

  it("an unquoted number where text is expected", async () => {
    const { code, errors, text } = await validateDev(
      "mode: development\n",
      "mode: development\ntags:\n  cost_center: 4711\n",
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      `${at(text, "4711")}: tags.cost_center: expected text, got the number 4711: quote it, "4711"`,
    ]);
  });
});
