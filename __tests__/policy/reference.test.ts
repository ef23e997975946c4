import { environmentNames } from "../../loader/load";
import { evaluate } from "../../policy/engine";
import { ResourceIndex, type TerraformDocument } from "../../policy/resources";
import { CONFIG_DIR } from "../helpers";
import {
  environmentText,
  loadFrom,
  PROPOSED_WAIVERS,
  proposedBase,
  proposedEnvironment,
  synthesizedDocument,
} from "./fixtures";

const names = environmentNames(CONFIG_DIR);
const documents = new Map<string, TerraformDocument>();

beforeAll(() => {
  for (const name of names) documents.set(name, synthesizedDocument(proposedEnvironment(name)));
});

describe("the reference environments with the proposed base.yaml", () => {
  it.each(names)("%s passes every rule, its design exceptions acknowledged", (name) => {
    const findings = evaluate({
      resources: ResourceIndex.fromTerraform(documents.get(name)!),
      environment: proposedEnvironment(name),
    });
    expect(findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(findings.map((f) => [f.rule, f.resource]).sort()).toEqual(
      Object.values(PROPOSED_WAIVERS)
        .map((w) => [w.rule, w.resource])
        .sort(),
    );
  });

  it.each(names)("%s needs each proposed waiver: without them their findings reopen", (name) => {
    const unwaived = loadFrom(name, {
      "base.yaml": proposedBase(),
      [`${name}.yaml`]: environmentText(name, {
        waivers: Object.fromEntries(Object.keys(PROPOSED_WAIVERS).map((w) => [w, { enabled: false }])),
      }),
    });
    const findings = evaluate({
      resources: ResourceIndex.fromTerraform(documents.get(name)!),
      environment: unwaived,
    });
    expect(findings.map((f) => [f.rule, f.severity, f.resource])).toEqual([
      ["LS-S3-3", "error", "aws_s3_bucket.browser_site_bucket"],
      ["LS-S3-5", "error", "aws_s3_bucket.browser_site_bucket"],
      ["LS-COG-1", "warning", "aws_cognito_identity_pool.browser_identity_pool"],
    ]);
  });
});
