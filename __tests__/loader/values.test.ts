import { LineCounter, parseDocument } from "yaml";
import { AWS_REGIONS } from "../../loader/regions";
import { regionProblem, timeZoneProblem, workspaceHostProblem } from "../../loader/values";
import { explainSyntaxErrors } from "../../loader/yaml-errors";

describe("AWS regions", () => {
  it("accepts every region of the list, and only the aws partition's", () => {
    expect(AWS_REGIONS.filter((r) => regionProblem(r, false) !== undefined)).toEqual([]);
    expect(regionProblem("us-gov-west-1", true)).toMatch(/partition lakestack does not deploy to/);
    expect(regionProblem("cn-north-1", true)).toMatch(/partition lakestack does not deploy to/);
  });

  it("refuses a typo with the region it meant, and a newer region unless accepted on purpose", () => {
    expect(regionProblem("eu-west-7", false)).toMatch(/did you mean 'eu-west-1'\?.*accept_unlisted_region/);
    expect(regionProblem("eu-west-7", true)).toBeUndefined();
    expect(regionProblem("euwest1", true)).toMatch(
      /not an AWS region name such as eu-west-1; did you mean 'eu-west-1'/,
    );
  });
});

describe("time zones", () => {
  it.each(["UTC", "Etc/UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Calcutta", "GMT"])(
    "accepts %s",
    (zone) => expect(timeZoneProblem(zone)).toBeUndefined(),
  );

  it.each([
    ["Europe/Dubln", "'Europe/Dubln' is not an IANA time zone; did you mean 'Europe/Dublin'?"],
    ["europe/berlin", "time zones are case-sensitive; did you mean 'Europe/Berlin'?"],
    ["+01:00", "'+01:00' is not an IANA time zone such as Europe/Berlin or UTC"],
    ["Mars/Olympus", "'Mars/Olympus' is not an IANA time zone"],
  ])("refuses %s", (zone, message) => expect(timeZoneProblem(zone)).toBe(message));
});

describe("Databricks workspace hosts", () => {
  it.each([
    "https://dbc-4f1c2a9e-7b3d.cloud.databricks.com",
    "https://acme-analytics.cloud.databricks.com",
    "https://acme.privatelink.cloud.databricks.com",
  ])("accepts %s", (host) => expect(workspaceHostProblem(host)).toBeUndefined());

  it.each([
    ["http://acme.cloud.databricks.com", "use https: https://acme.cloud.databricks.com"],
    ["acme.cloud.databricks.com", "start with https://, e.g. https://acme.cloud.databricks.com"],
    [
      "https://acme.cloud.databricks.com/",
      "without a path, query or trailing slash: https://acme.cloud.databricks.com",
    ],
    ["https://acme.cloud.databricks.com/?o=123", "without a path, query or trailing slash"],
    ["https://accounts.cloud.databricks.com", "that is the account console"],
    ["https://adb-1234567890123456.7.azuredatabricks.net", "an Azure Databricks workspace"],
    ["https://1234567890123456.7.gcp.databricks.com", "a Databricks on Google Cloud workspace"],
    ["https://acme.cloud.databricks.us", "GovCloud"],
    ["https://databricks.example.com", "is not a Databricks on AWS workspace URL"],
  ])("refuses %s", (host, message) => expect(workspaceHostProblem(host)).toContain(message));
});

describe("YAML syntax errors in plain words", () => {
  const explain = (source: string) => {
    const lineCounter = new LineCounter();
    const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
    return explainSyntaxErrors(source, doc.errors, lineCounter);
  };

  it("finds where an unclosed bracket or single quote opens", () => {
    expect(explain("mode: x\ntags: [a, b\nstream: {}\n")).toEqual([
      { line: 2, col: 7, message: "the '[' opened here is never closed: add ']' where it ends" },
    ]);
    expect(explain("a: 1\nb: 'it''s\nc: 2\n")).toEqual([
      {
        line: 2,
        col: 4,
        message: "the quote opened here is never closed: add the closing ' where the value ends",
      },
    ]);
  });

  it("reads a missing space on the last line of a mapping too", () => {
    expect(explain("http_ingest:\n  timeout_seconds: 10\n  memory_mb:256\n")).toEqual([
      { line: 3, col: 13, message: "missing space after ':' in 'memory_mb:256': write 'memory_mb: 256'" },
    ]);
  });

  it("keeps URLs and quoted colons out of the missing-space check", () => {
    expect(explain('host: https://x.cloud.databricks.com\nnote: "a:b"\n')).toEqual([]);
  });

  it("names both indentations a misaligned key could mean", () => {
    expect(explain("stream:\n  capacity:\n      peak: 1\n    average: 2\n")).toEqual([
      {
        line: 4,
        col: 1,
        message:
          "this line is indented 4 spaces, which lines up with no key above it: indent 6 to line up with 'peak' (line 3), or 2 to line up with 'capacity' (line 2)",
      },
    ]);
  });
});
