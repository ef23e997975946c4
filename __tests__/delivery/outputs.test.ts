import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { outputsSummary, summarizeOutputs } from "../../views/outputs";
import { scratchDir } from "./support";

const ACTIVATION_URL = "https://sharing.example.com/activate/very-secret-token";

describe("outputsSummary", () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchDir("outputs");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports no deploys when the outputs file does not exist", () => {
    const summary = outputsSummary(join(dir, "missing.json"), ["dev", "prod"]);
    expect(summary.present).toBe(false);
    expect(summary.problem).toBeUndefined();
    expect(summary.deployed).toEqual([]);
    expect(summary.environments.map((e) => [e.env, e.deployed])).toEqual([
      ["dev", false],
      ["prod", false],
    ]);
  });

  it("returns each deployed environment's outputs and withholds activation URLs", () => {
    const file = join(dir, "outputs.json");
    writeFileSync(
      file,
      JSON.stringify({
        prod: {
          region: "eu-west-1",
          streamName: "seismo-prod-events",
          ingestUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/events",
          partner_researchActivationUrl: ACTIVATION_URL,
        },
        retired: { region: "us-east-1" },
      }),
    );
    const summary = outputsSummary(file, ["dev", "prod"]);
    expect(summary.present).toBe(true);
    const [dev, prod] = summary.environments;
    expect(dev).toEqual({ env: "dev", deployed: false, outputs: {}, withheld: [] });
    expect(prod.outputs).toEqual({
      region: "eu-west-1",
      streamName: "seismo-prod-events",
      ingestUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/events",
    });
    expect(prod.withheld).toEqual(["partner_researchActivationUrl"]);
    expect(JSON.stringify(summary)).not.toContain("very-secret-token");
    expect(summary.environments.map((e) => e.env)).toEqual(["dev", "prod"]);
    expect(summary.deployed).toEqual(["prod", "retired"]);
  });

  it("honours Terraform's own sensitive flag and unwraps its { value } entries", () => {
    const summary = summarizeOutputs(
      "outputs.json",
      JSON.stringify({
        dev: {
          siteUrl: { value: "http://site.example", type: "string", sensitive: false },
          shareCredential: { value: "s3cr3t", type: "string", sensitive: true },
        },
      }),
      ["dev"],
    );
    expect(summary.environments[0].outputs).toEqual({ siteUrl: "http://site.example" });
    expect(summary.environments[0].withheld).toEqual(["shareCredential"]);
    expect(JSON.stringify(summary)).not.toContain("s3cr3t");
  });

  it("describes a malformed file instead of throwing", () => {
    for (const text of ["{ not json", "[1, 2]", '"text"']) {
      const summary = summarizeOutputs(".lakestack/outputs.json", text, ["dev"]);
      expect(summary.problem).toMatch(/^\.lakestack\/outputs\.json is not/);
      expect(summary.environments).toEqual([{ env: "dev", deployed: false, outputs: {}, withheld: [] }]);
    }
  });
});
