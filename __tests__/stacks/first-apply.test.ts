/**
 * What a first `terraform apply` on a fresh account and workspace needs, read from the synthesized JSON:
 * nothing Databricks validates against IAM is created before IAM has had time to spread, jobs wait for
 * the tables and grants they read, development can be destroyed, and an old Terraform stops at init.
 */
import { Testing } from "cdktf";
import { join } from "node:path";
import { loadBootstrapInputs } from "../../bootstrap/settings";
import { addBootstrapStacks } from "../../bootstrap/stacks";
import { IAM_PROPAGATION_WAIT } from "../../modules/aws/databricks-access";
import { REQUIRED_TERRAFORM_VERSION } from "../../stacks/terraform-version";
import { CONFIG_DIR, only, referenceSynths, resources, synthStack, variantEnvironment } from "../helpers";

const WAIT = "time_sleep.databricks_access_iam_propagation";

describe("the first apply of every reference environment", () => {
  const synths = referenceSynths();

  it("waits for IAM after the roles Databricks uses and their policies, and again when they change", () => {
    for (const [env, json] of synths) {
      const wait = only(json, "time_sleep");
      expect(`${env}: ${wait.create_duration}`).toBe(`${env}: ${IAM_PROPAGATION_WAIT}`);
      // Each role's ARN and trust, and each policy's document, is a trigger: a new value replaces the wait.
      expect(wait.triggers).toEqual({
        kinesis_reader: expect.stringContaining("${aws_iam_role.databricks_access_kinesis_reader_role.arn}"),
        kinesis_reader_policy: expect.stringContaining(
          "${aws_iam_role_policy.databricks_access_kinesis_reader_policy.policy}",
        ),
        lake_access: expect.stringContaining(
          "${aws_iam_role.databricks_access_lake_access_role.assume_role_policy}",
        ),
        lake_access_policy: expect.stringContaining(
          "${aws_iam_role_policy.databricks_access_lake_access_policy.policy}",
        ),
      });
    }
  });

  it("creates the external location and the pipeline only after the wait", () => {
    for (const [env, json] of synths) {
      const location = only(json, "databricks_external_location");
      const pipeline = only(json, "databricks_pipeline");
      expect(`${env}: ${location.depends_on}`).toBe(`${env}: ${WAIT}`);
      expect(pipeline.depends_on).toContain(WAIT);
    }
  });

  it("starts no job before the pipeline and the run-as identity's grants exist", () => {
    for (const [env, json] of synths) {
      const grants = Object.keys(resources(json, "databricks_grants"))
        .filter((name) => name.startsWith("unity_catalog_"))
        .map((name) => `databricks_grants.${name}`);
      expect(grants).toEqual(
        expect.arrayContaining([
          "databricks_grants.unity_catalog_catalog_grants",
          "databricks_grants.unity_catalog_schema_grants",
        ]),
      );
      const jobs = Object.entries(resources(json, "databricks_job"));
      expect(jobs.length).toBeGreaterThan(0);
      for (const [name, job] of jobs) {
        expect(`${env} ${name}: ${[...job.depends_on].sort()}`).toBe(
          `${env} ${name}: ${["databricks_pipeline.events_pipeline_pipeline", ...grants].sort()}`,
        );
      }
    }
  });

  it("lets terraform destroy a development catalog and schema with their tables, never production's", () => {
    for (const [env, json] of synths) {
      const development = env === "dev";
      for (const type of ["databricks_catalog", "databricks_schema"]) {
        expect(`${env} ${type}: ${only(json, type).force_destroy ?? false}`).toBe(
          `${env} ${type}: ${development}`,
        );
        expect(`${env} ${type}: ${only(json, type).lifecycle?.prevent_destroy ?? false}`).toBe(
          `${env} ${type}: ${!development}`,
        );
      }
    }
  });

  it("declares the Terraform version S3-native locking needs, and the time provider's version", () => {
    for (const [env, json] of synths) {
      expect(`${env}: ${json.terraform.required_version}`).toBe(`${env}: ${REQUIRED_TERRAFORM_VERSION}`);
      expect(json.terraform.required_providers.time).toEqual({ source: "hashicorp/time", version: "0.13.1" });
    }
  });

  it("exports what run, verify and doctor read: job ids by job key, the pipeline and the warehouse", () => {
    for (const [env, json] of synths) {
      expect(Object.keys(json.output.jobIds.value).sort()).toEqual(
        Object.keys(resources(json, "databricks_job"))
          .map((name) => name.replace(/^job_(.*)_job$/, "$1"))
          .sort(),
      );
      expect(json.output.jobIds.value.device_max).toBe("${databricks_job.job_device_max_job.id}");
      expect(`${env}: ${json.output.pipelineId.value}`).toBe(
        `${env}: \${databricks_pipeline.events_pipeline_pipeline.id}`,
      );
      expect(json.output.warehouseId.value).toBe("${databricks_sql_endpoint.sql_warehouse_warehouse.id}");
    }
  });
});

describe("classic compute's instance profile", () => {
  it("is registered with Databricks only after the wait, and its role is a trigger", () => {
    const { json } = synthStack(variantEnvironment("dev", { unity_catalog: { instance_profile: true } }));
    expect(only(json, "databricks_instance_profile").depends_on).toEqual([WAIT]);
    expect(only(json, "time_sleep").triggers.compute).toContain(
      "${aws_iam_role.databricks_access_compute_role.arn}",
    );
  });
});

describe("the bootstrap stacks", () => {
  it("declare the same Terraform version", () => {
    const app = Testing.app();
    const inputs = loadBootstrapInputs(join(CONFIG_DIR, "..", "bootstrap", "bootstrap.yaml"), CONFIG_DIR);
    const stacks = addBootstrapStacks(app, inputs, { outDir: "bootstrap/cdktf.out", stateDir: "bootstrap" });
    for (const stack of [stacks.state, ...stacks.accounts.values()]) {
      expect(JSON.parse(Testing.synth(stack)).terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
    }
  });
});
