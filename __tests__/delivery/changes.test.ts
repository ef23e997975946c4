/**
 * `validate --against`: what a change does to each environment's Terraform, offline, by synthesizing the
 * earlier config and this one.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../paths";
import type { TerraformDocument } from "../../policy/resources";
import { environmentChanges, renderChanges, resourceChanges } from "../../views/changes";
import { CONFIG_DIR, git as gitIn, referenceEnvironment, synthStack, variantEnvironment } from "../helpers";
import { lakestack, STACK_TRACE } from "../lakestack";

const document = (environment: Parameters<typeof synthStack>[0]) =>
  synthStack(environment).stack.toTerraform() as TerraformDocument;

/** prod after a change to a job (and one more), a recipient and the stream. */
const CHANGE = {
  stream: { retention_hours: 336 },
  jobs: {
    device_max: { schedule: { cron: "0 0/30 * * * ?" } },
    nightly: { tasks: { rollup: { notebook: "device_max" } } },
  },
  sharing: { recipients: { partner_research: { enabled: false } } },
};

describe("the resources a change adds, changes and removes", () => {
  let before: TerraformDocument;
  let after: TerraformDocument;

  beforeAll(() => {
    before = document(referenceEnvironment("prod"));
    after = document(variantEnvironment("prod", CHANGE));
  });

  it("names them by address, with the attributes that change", () => {
    expect(resourceChanges(before, after)).toEqual([
      { address: "aws_kinesis_stream.events_stream", action: "change", attributes: ["retention_period"] },
      { address: "databricks_grants.delta_sharing_share_grants", action: "change", attributes: ["grant"] },
      {
        address: "databricks_job.job_device_max_job",
        action: "change",
        attributes: ["schedule.quartz_cron_expression"],
      },
      { address: "databricks_job.job_nightly_job", action: "add" },
      { address: "databricks_recipient.delta_sharing_recipient_partner_research", action: "remove" },
    ]);
  });

  it("finds nothing when nothing changes, and every resource of a new environment", () => {
    expect(resourceChanges(before, before)).toEqual([]);
    const changes = environmentChanges(new Map(), new Map([["prod", after]]));
    expect(changes).toEqual([{ environment: "prod", status: "new", changes: expect.any(Array) }]);
    expect(changes[0].changes.every((c) => c.action === "add")).toBe(true);
  });

  it("renders one line per resource under each environment's counts", () => {
    const text = renderChanges("main", [
      { environment: "prod", status: "changed", changes: resourceChanges(before, after) },
      { environment: "staging", status: "changed", changes: [] },
    ]);
    expect(text.split("\n")).toEqual([
      "Terraform changes since main (offline, from config; a plan has the final word):",
      "prod: 1 to add, 3 to change, 1 to remove",
      "  ~ aws_kinesis_stream.events_stream: retention_period",
      "  ~ databricks_grants.delta_sharing_share_grants: grant",
      "  ~ databricks_job.job_device_max_job: schedule.quartz_cron_expression",
      "  + databricks_job.job_nightly_job",
      "  - databricks_recipient.delta_sharing_recipient_partner_research",
      "staging: no resource changes",
    ]);
  });
});

describe("lakestack validate --against", () => {
  let cwd: string;
  const git = (...args: string[]) => gitIn(cwd, ...args);

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "lakestack-changes-"));
    cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
    cpSync(join(REPO_ROOT, "notebooks"), join(cwd, "notebooks"), { recursive: true });
    git("init", "--quiet");
    git("add", ".");
    git("commit", "--quiet", "-m", "reference");
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("prints what the change does before the findings that fail it", async () => {
    const prod = join(cwd, "config", "prod.yaml");
    const original = readFileSync(prod, "utf8");
    writeFileSync(
      prod,
      original.replace("    partner_research:\n", "    partner_research:\n      enabled: false\n"),
    );
    try {
      const { code, stdout, stderr } = await lakestack(cwd, "validate", "--env", "prod", "--against", "HEAD");
      expect(code).toBe(1);
      expect(stderr).not.toMatch(STACK_TRACE);
      expect(stdout.split("\n")).toEqual([
        "Terraform changes since HEAD (offline, from config; a plan has the final word):",
        "prod: 0 to add, 1 to change, 1 to remove",
        "  ~ databricks_grants.delta_sharing_share_grants: grant",
        "  - databricks_recipient.delta_sharing_recipient_partner_research",
        "",
      ]);
      expect(stderr).toMatch(
        /^config\/prod\.yaml:\d+:\d+: LS-CHG-2: sharing\.recipients\.partner_research\.enabled: /m,
      );
    } finally {
      writeFileSync(prod, original);
    }
  });

  it("compares with the revision's own notebooks, in JSON too", async () => {
    const notebook = join(cwd, "notebooks", "device_max.py");
    writeFileSync(notebook, `${readFileSync(notebook, "utf8")}\nprint("an earlier version")\n`);
    git("commit", "--quiet", "-am", "an earlier device_max");
    const { code, stdout } = await lakestack(
      cwd,
      "validate",
      "--env",
      "staging",
      "--against",
      "HEAD",
      "--json",
    );
    expect(code).toBe(0);
    // The notebook at HEAD differs from today's: the change puts back today's.
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      changes: [
        {
          environment: "staging",
          status: "changed",
          changes: [
            { address: "databricks_notebook.notebooks_device_max", action: "change", attributes: ["source"] },
          ],
        },
      ],
    });
  });
});
