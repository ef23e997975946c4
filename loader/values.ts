/**
 * Values Terraform would accept and the cloud refuse at apply: AWS regions, time zones, Databricks
 * workspace hosts and service principal ids. Each check returns what is wrong in plain words (with a
 * "did you mean" when a known value is close), or undefined when the value is fine.
 */
import { closest } from "./diagnostics";
import { AWS_REGIONS, OTHER_PARTITIONS, REGION_SHAPE } from "./regions";

const didYouMean = (hint: string | undefined) => (hint ? `; did you mean '${hint}'?` : "");

/** An AWS region of the `aws` partition; `acceptUnlisted` lets a well-formed region newer than the list through. */
export function regionProblem(region: string, acceptUnlisted: boolean): string | undefined {
  if (AWS_REGIONS.includes(region)) return undefined;
  if (region === "") return "is empty: name an AWS region such as eu-west-1";
  if (OTHER_PARTITIONS.test(region)) {
    return `'${region}' is in an AWS partition lakestack does not deploy to: its stacks write arn:aws:… ARNs, which GovCloud and China regions refuse`;
  }
  if (!REGION_SHAPE.test(region)) {
    return `'${region}' is not an AWS region name such as eu-west-1${didYouMean(closest(region, AWS_REGIONS))}`;
  }
  if (acceptUnlisted) return undefined;
  return (
    `'${region}' is not an AWS region lakestack knows${didYouMean(closest(region, AWS_REGIONS))}` +
    " (a region newer than lakestack's list: set aws.accept_unlisted_region: true)"
  );
}

let zones: readonly string[] | undefined;

/** IANA zone names as Node's Intl knows them, with UTC (which it lists under Etc/ only). */
function timeZones(): readonly string[] {
  return (zones ??= ["UTC", ...Intl.supportedValuesOf("timeZone")]);
}

/**
 * An IANA time zone, as Databricks schedules take them (Java zone ids): canonical names and their
 * aliases (`UTC`, `Etc/UTC`, `Asia/Calcutta`) pass, spelled with their own capitals; offsets such as
 * `+01:00` and unknown names do not.
 */
export function timeZoneProblem(zone: string): string | undefined {
  const hint = () => didYouMean(closest(zone, timeZones()));
  if (!/^[A-Za-z]/.test(zone)) return `'${zone}' is not an IANA time zone such as Europe/Berlin or UTC`;
  // A canonical name needs no formatter, whose first use loads ICU's zone data (about 17 ms).
  if (timeZones().includes(zone)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return `'${zone}' is not an IANA time zone${hint()}`;
  }
  // Intl ignores case; Java's zone ids do not.
  const canonical = timeZones().find((z) => z.toLowerCase() === zone.toLowerCase());
  if (canonical && canonical !== zone) return `time zones are case-sensitive; did you mean '${canonical}'?`;
  if (!canonical && resolved.toLowerCase() === zone.toLowerCase() && resolved !== zone) {
    return `time zones are case-sensitive; did you mean '${resolved}'?`;
  }
  return undefined;
}

/** A service principal's application id, as Databricks shows it: a UUID. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const EXAMPLE_HOST = "https://dbc-1234abcd-5678.cloud.databricks.com";

/**
 * The URL of a Databricks on AWS workspace: `https://<deployment>.cloud.databricks.com`, which is also
 * the address PrivateLink workspaces keep (their DNS resolves it privately). Azure, GCP and GovCloud
 * workspaces, the account console, and any path after the host are refused, each saying why.
 */
export function workspaceHostProblem(host: string): string | undefined {
  if (/^http:\/\//i.test(host)) return `use https: ${host.replace(/^http:/i, "https:")}`;
  if (!/^[a-z]+:\/\//i.test(host)) return `start with https://, e.g. https://${host}`;
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return `is not a URL; a workspace URL looks like ${EXAMPLE_HOST}`;
  }
  if (url.protocol !== "https:") return `use https://, e.g. ${EXAMPLE_HOST}`;
  const name = url.hostname;
  if (url.origin !== host || url.username || url.password) {
    return `only the workspace's address, without a path, query or trailing slash: ${url.origin}`;
  }
  if (name === "accounts.cloud.databricks.com") {
    return `that is the account console; use the workspace's own URL, e.g. ${EXAMPLE_HOST}`;
  }
  if (name.endsWith(".azuredatabricks.net")) {
    return "an Azure Databricks workspace: lakestack deploys to Databricks on AWS (https://<workspace>.cloud.databricks.com)";
  }
  if (name.endsWith(".gcp.databricks.com")) {
    return "a Databricks on Google Cloud workspace: lakestack deploys to Databricks on AWS (https://<workspace>.cloud.databricks.com)";
  }
  if (name.endsWith(".cloud.databricks.us") || name.endsWith(".cloud.databricks.mil")) {
    return "a Databricks on AWS GovCloud workspace: lakestack's stacks use the commercial aws partition only";
  }
  if (
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.cloud\.databricks\.com$/.test(name)
  ) {
    return `is not a Databricks on AWS workspace URL; it looks like ${EXAMPLE_HOST}`;
  }
  return undefined;
}
