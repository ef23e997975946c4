import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, type Document } from "yaml";
import { ConfigError } from "../../loader/diagnostics";
import type { Environment } from "../../loader/load";
import { compareAgainst, compareEnvironments, withBaseline } from "../../policy/against";
import { REPO_ROOT } from "../../paths";
import { CONFIG_DIR, git as gitIn } from "../helpers";
import { environmentText, loadFrom, proposedBase, scratchFolder } from "./fixtures";

/** One version of an environment: its file's text and the environment loaded from it. */
interface Version {
  readonly text: string;
  readonly environment: Environment;
}

function version(name: string, changes: Record<string, unknown> = {}): Version {
  const text = environmentText(name, changes);
  return { text, environment: loadFrom(name, { "base.yaml": proposedBase(), [`${name}.yaml`]: text }) };
}

/** A version whose file is the reference one edited as a YAML document (to delete what merging cannot). */
function edited(name: string, edit: (doc: Document) => void): Version {
  const doc = parseDocument(environmentText(name));
  edit(doc);
  const text = String(doc);
  return { text, environment: loadFrom(name, { "base.yaml": proposedBase(), [`${name}.yaml`]: text }) };
}

function lineOf(text: string, needle: string): number {
  const line = text.split("\n").findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`'${needle}' not in the file`);
  return line + 1;
}

const compare = (before: Version, after: Version) =>
  compareEnvironments(before.environment, after.environment);
const summary = (before: Version, after: Version) =>
  compare(before, after).map((d) => [d.severity, d.rule, d.message.split(":")[0]]);

const prod = version("prod");

describe("compareEnvironments", () => {
  it("finds nothing when nothing that holds data changes", () => {
    expect(
      compare(prod, version("prod", { warehouse: { size: "Small" }, stream: { retention_hours: 336 } })),
    ).toEqual([]);
  });

  it("reports a stream rename where the new name is set, with the way to keep the stream", () => {
    const after = version("prod", { stream: { name: "seismo-events-v2" } });
    expect(compare(prod, after)).toEqual([
      {
        file: after.environment.file,
        line: lineOf(after.text, "seismo-events-v2"),
        col: expect.any(Number),
        path: "stream.name",
        severity: "error",
        rule: "LS-CHG-1",
        message: expect.stringMatching(
          /^aws_kinesis_stream\.events_stream: the stream 'seismo-prod-events' becomes 'seismo-events-v2': Terraform plans to destroy .*; fix: set stream\.name: seismo-prod-events to keep it/,
        ),
      },
    ]);
  });

  it("points renames that follow from project or account at that field", () => {
    const renamed = version("prod", { project: "quake" });
    expect(compare(prod, renamed).map((d) => [d.message.split(":")[0], d.path, d.line])).toEqual(
      [
        "aws_kinesis_stream.events_stream",
        "aws_s3_bucket.browser_site_bucket",
        "aws_s3_bucket.lake_bucket",
        "databricks_catalog.unity_catalog_catalog",
        "databricks_share.delta_sharing_share",
      ].map((address) => [address, "project", lineOf(renamed.text, "project: quake")]),
    );
    const moved = version("prod", { aws: { account_id: "500000000999" } });
    expect(compare(prod, moved).map((d) => [d.message.split(":")[0], d.path])).toEqual([
      ["aws_s3_bucket.browser_site_bucket", "aws.account_id"],
      ["aws_s3_bucket.lake_bucket", "aws.account_id"],
    ]);
  });

  it("reports catalog, schema and share renames", () => {
    const after = version("prod", {
      unity_catalog: { catalog: "seismo_live", schema: "events" },
      sharing: { share: "seismo_share" },
    });
    expect(compare(prod, after).map((d) => [d.rule, d.path])).toEqual([
      ["LS-CHG-1", "unity_catalog.catalog"],
      ["LS-CHG-1", "unity_catalog.schema"],
      ["LS-CHG-1", "sharing.share"],
    ]);
  });

  describe("recipients", () => {
    const recipients = ["sharing", "recipients"];

    it("reports a recipient deleted from the file at its entry in the earlier file", () => {
      const after = edited("prod", (doc) => doc.deleteIn([...recipients, "partner_analytics"]));
      const [removed] = compare(prod, after);
      expect(removed).toMatchObject({
        file: prod.environment.file,
        line: lineOf(prod.text, "partner_analytics:"),
        path: "sharing.recipients.partner_analytics",
        severity: "error",
        rule: "LS-CHG-2",
        message: expect.stringMatching(
          /^\[prod\] databricks_recipient\.delta_sharing_recipient_partner_analytics: removing recipient 'partner_analytics' destroys it/,
        ),
      });
    });

    it("reports a recipient switched off at the enabled: false that removes it", () => {
      const after = version("prod", { sharing: { recipients: { partner_analytics: { enabled: false } } } });
      expect(compare(prod, after)).toEqual([
        expect.objectContaining({
          file: after.environment.file,
          line: lineOf(after.text, "enabled: false"),
          path: "sharing.recipients.partner_analytics.enabled",
          rule: "LS-CHG-2",
          message: expect.stringContaining("removing recipient 'partner_analytics' destroys it"),
        }),
      ]);
    });

    it("reports a renamed recipient at its new name", () => {
      const after = edited("prod", (doc) => {
        doc.setIn([...recipients, "university"], doc.getIn([...recipients, "partner_research"]));
        doc.deleteIn([...recipients, "partner_research"]);
      });
      expect(compare(prod, after)).toEqual([
        expect.objectContaining({
          file: after.environment.file,
          line: lineOf(after.text, "university:"),
          path: "sharing.recipients.university",
          rule: "LS-CHG-1",
          message: expect.stringContaining(
            "databricks_recipient.delta_sharing_recipient_partner_research: renaming recipient 'partner_research' to 'university'",
          ),
        }),
      ]);
    });

    it("reports a changed auth type or metastore id, which replace the recipient", () => {
      const switched = edited("prod", (doc) => {
        doc.deleteIn([...recipients, "partner_research", "ip_access_list"]);
        doc.setIn([...recipients, "partner_research", "auth"], "databricks");
        doc.setIn(
          [...recipients, "partner_research", "metastore_id"],
          doc.getIn([...recipients, "partner_analytics", "metastore_id"]),
        );
      });
      expect(compare(prod, switched).map((d) => [d.rule, d.path])).toEqual([
        ["LS-CHG-1", "sharing.recipients.partner_research.auth"],
      ]);
      const moved = version("prod", {
        sharing: {
          recipients: {
            partner_analytics: { metastore_id: "aws:us-east-1:00000000-0000-4000-8000-000000000000" },
          },
        },
      });
      expect(compare(prod, moved).map((d) => [d.rule, d.path])).toEqual([
        ["LS-CHG-1", "sharing.recipients.partner_analytics.metastore_id"],
      ]);
    });

    it("reports turning sharing off as removing the share and every recipient", () => {
      expect(summary(prod, version("prod", { sharing: { enabled: false } }))).toEqual([
        // Removed entries are reported in the earlier file, so the message names the environment.
        ["error", "LS-CHG-2", "[prod] databricks_recipient.delta_sharing_recipient_partner_analytics"],
        ["error", "LS-CHG-2", "[prod] databricks_recipient.delta_sharing_recipient_partner_research"],
        ["error", "LS-CHG-2", "databricks_share.delta_sharing_share"],
      ]);
    });
  });

  it("reports shorter retention of stream records and lake versions", () => {
    const after = version("prod", {
      stream: { retention_hours: 24 },
      lake: { noncurrent_version_expiration_days: 7 },
    });
    expect(compare(prod, after).map((d) => [d.rule, d.path, d.line])).toEqual([
      ["LS-CHG-3", "stream.retention_hours", lineOf(after.text, "retention_hours")],
      [
        "LS-CHG-3",
        "lake.noncurrent_version_expiration_days",
        lineOf(after.text, "noncurrent_version_expiration_days"),
      ],
    ]);
  });

  it("makes the same findings warnings when the earlier version was in development mode", () => {
    expect(summary(version("dev"), version("dev", { stream: { name: "dev-events" } }))).toEqual([
      ["warning", "LS-CHG-1", "aws_kinesis_stream.events_stream"],
    ]);
  });

  it("warns when production becomes development", () => {
    expect(
      compare(prod, version("prod", { mode: "development" })).map((d) => [d.severity, d.rule, d.path]),
    ).toEqual([["warning", "LS-CHG-4", "mode"]]);
  });

  it("lets a waiver of the new version acknowledge a change, and reports change waivers that match nothing", () => {
    const waiver = {
      rule: "LS-CHG-1",
      resource: "aws_kinesis_stream.events_stream",
      reason: "Producers moved to the v2 stream; the old one is drained.",
    };
    const acknowledged = version("prod", {
      stream: { name: "seismo-events-v2" },
      waivers: { "stream-v2": waiver },
    });
    expect(summary(prod, acknowledged)).toEqual([["info", "LS-CHG-1", "aws_kinesis_stream.events_stream"]]);
    const stale = version("prod", {
      waivers: { "stream-v2": waiver, other: { ...waiver, rule: "LS-S3-9" } },
    });
    expect(compare(prod, stale).map((d) => [d.severity, d.rule, d.path])).toEqual([
      ["error", "LS-WAIVE-1", "waivers.stream-v2"],
    ]);
  });
});

describe("compareAgainst", () => {
  it("pairs environments by name and skips those that are new", () => {
    const before = [prod.environment];
    const after = [
      version("dev").environment,
      version("prod", { unity_catalog: { schema: "events" } }).environment,
    ];
    expect(compareAgainst(before, after).map((d) => [d.rule, d.path])).toEqual([
      ["LS-CHG-1", "unity_catalog.schema"],
    ]);
  });
});

describe("withBaseline", () => {
  let repo: string;
  const git = (...args: string[]) => gitIn(repo, ...args);
  const configDir = () => join(repo, "config");
  /** The environments as loaded, once the revision's scratch folder is gone. */
  const loadBaseline = (against: string, dir: string, names?: string[]) =>
    withBaseline(against, dir, names, (baseline) => baseline);

  beforeAll(() => {
    repo = scratchFolder();
    mkdirSync(join(repo, "config"));
    writeFileSync(join(repo, "config", "base.yaml"), proposedBase());
    for (const name of ["dev", "prod"])
      writeFileSync(join(repo, "config", `${name}.yaml`), environmentText(name));
    cpSync(join(REPO_ROOT, "notebooks"), join(repo, "notebooks"), { recursive: true });
    writeFileSync(join(repo, "notebooks", "only_then.py"), "# Databricks notebook source\n");
    git("init", "--quiet");
    git("add", ".");
    git("commit", "--quiet", "-m", "reference");
    git("tag", "reference");
    writeFileSync(join(repo, "config", "dev.yaml"), "mode: [unclosed");
    git("commit", "--quiet", "-am", "dev breaks");
    git("tag", "broken");
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("reads a git revision's config files, naming the revision in positions", () => {
    const [baseline] = loadBaseline("reference", configDir(), ["prod"]);
    expect(baseline.name).toBe("prod");
    expect(baseline.file).toBe("reference:config/prod.yaml");
    expect(baseline.names.stream).toBe("seismo-prod-events");
    expect(baseline.locate(["sharing", "recipients", "partner_analytics"])).toEqual({
      file: "reference:config/prod.yaml",
      line: lineOf(environmentText("prod"), "partner_analytics:"),
      col: expect.any(Number),
    });
  });

  it("keeps a revision's notebooks on disk while they are used, and not after", () => {
    let notebooksDir = "";
    const files = withBaseline("reference", configDir(), ["prod"], ([prod]) => {
      notebooksDir = prod.workloads.notebooksDir;
      return readdirSync(notebooksDir);
    });
    expect(files).toContain("only_then.py");
    expect(notebooksDir.startsWith(repo)).toBe(false);
    expect(existsSync(notebooksDir)).toBe(false);
  });

  it("loads only the named environments that exist there", () => {
    expect(loadBaseline("reference", configDir(), ["prod", "staging"]).map((e) => e.name)).toEqual(["prod"]);
    expect(loadBaseline("reference", configDir()).map((e) => e.name)).toEqual(["dev", "prod"]);
  });

  it("reads a folder as it is", () => {
    expect(loadBaseline(CONFIG_DIR, configDir(), ["staging"]).map((e) => e.name)).toEqual(["staging"]);
    const error = thrown(() => loadBaseline(configDir(), configDir(), ["dev"]));
    expect(error.diagnostics[0].file).toMatch(/config\/dev\.yaml$/);
  });

  it("refuses revisions git cannot read, and names that would reach git as options", () => {
    expect(thrown(() => loadBaseline("no-such-branch", configDir())).message).toMatch(
      /--against no-such-branch: not a folder, and git cannot read it \(fatal: /,
    );
    expect(thrown(() => loadBaseline("--output=/tmp/x", configDir())).message).toContain(
      "--against --output=/tmp/x: not a folder, and not a git revision name",
    );
  });

  it("reports an earlier version that no longer loads at the revision's file", () => {
    const error = thrown(() => loadBaseline("broken", configDir(), ["dev"]));
    expect(error.diagnostics[0].file).toBe("broken:config/dev.yaml");
  });
});

function thrown(body: () => unknown): ConfigError {
  try {
    body();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
