import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { App } from "cdktf";
import { environmentNames, loadEnvironments } from "../../loader/load";
import { buildArtifacts } from "../../stacks/artifacts";
import { synthesize } from "../../stacks/synthesize";
import {
  CONFIG_DIR,
  referenceEnvironment,
  synthStack,
  variantEnvironment,
  type TerraformJson,
} from "../helpers";

describe("one stack per environment", () => {
  let outDir: string;
  let stacks: Record<string, TerraformJson>;

  beforeAll(() => {
    outDir = join(mkdtempSync(join(tmpdir(), "lakestack-synth-")), "cdktf.out");
    synthesize(loadEnvironments(CONFIG_DIR), outDir, buildArtifacts());
    stacks = Object.fromEntries(
      readdirSync(join(outDir, "stacks")).map((env) => [
        env,
        JSON.parse(readFileSync(join(outDir, "stacks", env, "cdk.tf.json"), "utf8")) as TerraformJson,
      ]),
    );
  });

  afterAll(() => rmSync(join(outDir, ".."), { recursive: true, force: true }));

  it("writes cdktf.out/stacks/<env>/cdk.tf.json with stack ids the environment names", () => {
    expect(Object.keys(stacks).sort()).toEqual(environmentNames(CONFIG_DIR));
    const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual(environmentNames(CONFIG_DIR));
  });

  it("pins the AWS account and region, and tags everything", () => {
    expect(stacks.prod.provider.aws).toEqual([
      {
        region: "eu-west-1",
        allowed_account_ids: ["500000000303"],
        default_tags: [
          {
            tags: {
              team: "platform",
              service: "distributed-seismograph",
              project: "seismo",
              environment: "prod",
              "managed-by": "lakestack",
            },
          },
        ],
      },
    ]);
  });

  it("configures Databricks with the workspace host only: credentials come from the environment", () => {
    expect(stacks.prod.provider.databricks).toEqual([
      { host: "https://dbc-4f1c2a9e-7b3d.cloud.databricks.com" },
    ]);
  });

  it("keeps each environment's state under its own key, with S3-native locking, under the bucket's key", () => {
    for (const env of environmentNames(CONFIG_DIR)) {
      // No `encrypt`: with it but no key of its own Terraform would ask S3 for SSE-S3 on every write,
      // bypassing the KMS key the bootstrap gives the state bucket.
      expect(stacks[env].terraform.backend).toEqual({
        s3: {
          bucket: "seismo-terraform-state-500000000001",
          key: `lakestack/${env}.tfstate`,
          region: "eu-west-1",
          use_lockfile: true,
        },
      });
    }
  });

  it("pins the provider versions the bindings were generated for", () => {
    expect(stacks.dev.terraform.required_providers).toEqual({
      aws: { source: "aws", version: "6.25.0" },
      databricks: { source: "databricks/databricks", version: "1.99.0" },
      time: { source: "hashicorp/time", version: "0.13.1" },
    });
  });

  it("gives every resource a readable address", () => {
    const names = Object.values(stacks.prod.resource).flatMap((byName) => Object.keys(byName));
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});

describe("a local backend", () => {
  it("keeps state outside cdktf.out, addressed relative to the stack folder", () => {
    const { stack, json } = synthStack(variantEnvironment("dev", { state: { backend: "local" } }));
    const path: string = json.terraform.backend.local.path;
    expect(isAbsolute(path)).toBe(false);
    const stackFolder = join((stack.node.root as App).outdir, "stacks", "dev");
    expect(resolve(stackFolder, path)).toBe(resolve("terraform.dev.tfstate"));
  });
});

describe("synthesis is atomic", () => {
  const root = mkdtempSync(join(tmpdir(), "lakestack-atomic-"));
  const outDir = join(root, "cdktf.out");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("a failing run leaves the previous output exactly as it was", async () => {
    const environments = [referenceEnvironment("dev")];
    const artifacts = buildArtifacts();
    await synthesize(environments, outDir, artifacts).retired;
    const before = readFileSync(join(outDir, "stacks", "dev", "cdk.tf.json"), "utf8");
    mkdirSync(join(outDir, "stacks", "dev", ".terraform"));
    writeFileSync(join(outDir, "stacks", "dev", ".terraform", "marker"), "providers");

    const broken = {
      ...artifacts,
      ingestLambda: { ...artifacts.ingestLambda, zipPath: join(root, "missing.zip") },
    };
    expect(() => synthesize(environments, outDir, broken)).toThrow();
    expect(readFileSync(join(outDir, "stacks", "dev", "cdk.tf.json"), "utf8")).toBe(before);
    expect(readdirSync(root)).toEqual(["cdktf.out"]);

    // A successful run keeps terraform's provider folder, so the next plan needs no new init.
    await synthesize(environments, outDir, artifacts).retired;
    expect(existsSync(join(outDir, "stacks", "dev", ".terraform", "marker"))).toBe(true);
    expect(readdirSync(root)).toEqual(["cdktf.out"]);
  });

  it("synthesizing one environment leaves the others' output in place", async () => {
    const artifacts = buildArtifacts();
    await synthesize([referenceEnvironment("dev"), referenceEnvironment("prod")], outDir, artifacts).retired;
    const prod = readFileSync(join(outDir, "stacks", "prod", "cdk.tf.json"), "utf8");
    // The previous output is deleted in the background: wait for it before counting folders.
    await synthesize([referenceEnvironment("dev")], outDir, artifacts, { keep: ["prod"] }).retired;
    expect(readFileSync(join(outDir, "stacks", "prod", "cdk.tf.json"), "utf8")).toBe(prod);
    const manifest = () =>
      Object.keys(JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")).stacks).sort();
    expect(manifest()).toEqual(["dev", "prod"]);

    // An environment whose file is gone is not kept: its stack leaves the output.
    await synthesize([referenceEnvironment("dev")], outDir, artifacts).retired;
    expect(manifest()).toEqual(["dev"]);
    expect(readdirSync(join(outDir, "stacks"))).toEqual(["dev"]);
    expect(readdirSync(root)).toEqual(["cdktf.out"]);
  });
});
