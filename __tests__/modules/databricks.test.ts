import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../paths";
import { DEVICE_ID_PATTERN } from "../../events/contract";
import { IAM_PROPAGATION_WAIT } from "../../modules/aws/databricks-access";
import { REQUIRED_TERRAFORM_VERSION } from "../../stacks/terraform-version";
import {
  actionsOf,
  only,
  policy,
  referenceSynths,
  resources,
  synthStack,
  variantEnvironment,
} from "../helpers";

const synths = referenceSynths();
const synth = (name: string) => synths.get(name)!;
const WAIT = "time_sleep.databricks_access_iam_propagation";

describe("access from Databricks to AWS", () => {
  const role = (name: string) => resources(synth("prod"), "aws_iam_role")[`databricks_access_${name}_role`];
  const rolePolicy = (name: string) =>
    policy(resources(synth("prod"), "aws_iam_role_policy")[`databricks_access_${name}_policy`].policy)
      .Statement;

  it("the service credential's role may only read the stream (and assume itself)", () => {
    const statements = rolePolicy("kinesis_reader");
    expect(
      statements.filter((s) => s.Resource === "${aws_kinesis_stream.events_stream.arn}").map(actionsOf),
    ).toEqual([
      [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
      ],
    ]);
    expect(statements.filter((s) => s.Resource !== "${aws_kinesis_stream.events_stream.arn}")).toEqual([
      {
        Sid: "AssumeItself",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: "arn:aws:iam::500000000303:role/seismo-prod-dbx-kinesis-reader",
      },
    ]);
  });

  it("trusts Unity Catalog with the credential's external id, and itself", () => {
    const externalId = "${databricks_credential.credentials_kinesis.aws_iam_role[0].external_id}";
    const [master, self] = policy(role("kinesis_reader").assume_role_policy).Statement;
    expect(master).toMatchObject({
      Principal: {
        AWS: expect.stringMatching(/^arn:aws:iam::414351767826:role\/unity-catalog-prod-UCMasterRole-/),
      },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": externalId } },
    });
    expect(self).toMatchObject({
      Principal: { AWS: "arn:aws:iam::500000000303:root" },
      Condition: {
        ArnLike: { "aws:PrincipalArn": "arn:aws:iam::500000000303:role/seismo-prod-dbx-kinesis-reader" },
        StringEquals: { "sts:ExternalId": externalId },
      },
    });
  });

  it("breaks the create cycle: credentials name their role by a built ARN, not a reference", () => {
    expect(only(synth("prod"), "databricks_credential")).toMatchObject({
      purpose: "SERVICE",
      aws_iam_role: { role_arn: "arn:aws:iam::500000000303:role/seismo-prod-dbx-kinesis-reader" },
    });
    expect(only(synth("prod"), "databricks_storage_credential").aws_iam_role.role_arn).toBe(
      "arn:aws:iam::500000000303:role/seismo-prod-dbx-lake-access",
    );
    // The role exists, and IAM had time to spread it, before the location Unity Catalog validates against it.
    expect(only(synth("prod"), "databricks_external_location").depends_on).toEqual([
      "time_sleep.databricks_access_iam_propagation",
    ]);
    expect(only(synth("prod"), "time_sleep").triggers.lake_access).toContain(
      "${aws_iam_role.databricks_access_lake_access_role.arn}",
    );
  });

  it("the lake role reaches the lake bucket and nothing else", () => {
    const resourcesTouched = rolePolicy("lake_access")
      .filter((s) => s.Sid !== "AssumeItself")
      .map((s) => s.Resource);
    expect(resourcesTouched).toEqual([
      "${aws_s3_bucket.lake_bucket.arn}/*",
      "${aws_s3_bucket.lake_bucket.arn}",
    ]);
  });

  it("grants ACCESS on the service credential to who the pipeline runs as", () => {
    expect(resources(synth("prod"), "databricks_grants").credentials_kinesis_grants).toMatchObject({
      credential: "${databricks_credential.credentials_kinesis.name}",
      grant: [{ principal: "0b7d4e21-95c3-4f8a-a1d6-7e3f9c2b5a48", privileges: ["ACCESS"] }],
    });
  });

  it("creates an instance profile for classic compute only when asked", () => {
    expect(resources(synth("prod"), "aws_iam_instance_profile")).toEqual({});
    expect(resources(synth("prod"), "databricks_instance_profile")).toEqual({});
    const json = synthStack(variantEnvironment("dev", { unity_catalog: { instance_profile: true } })).json;
    expect(only(json, "aws_iam_instance_profile").name).toBe("seismo-dev-dbx-compute");
    expect(only(json, "databricks_instance_profile").instance_profile_arn).toBe(
      "${aws_iam_instance_profile.databricks_access_compute_instance_profile.arn}",
    );
    // Databricks validates the profile at once: registered only after IAM had time to spread its role.
    expect(only(json, "databricks_instance_profile").depends_on).toEqual([WAIT]);
    expect(only(json, "time_sleep").triggers.compute).toContain(
      "${aws_iam_role.databricks_access_compute_role.arn}",
    );
  });
});

describe("Unity Catalog", () => {
  it("roots the catalog on the lake bucket and grants what YAML gives, one resource per securable", () => {
    const json = synth("prod");
    expect(only(json, "databricks_catalog")).toMatchObject({
      name: "seismo_prod",
      storage_root: "s3://${aws_s3_bucket.lake_bucket.bucket}/curated/",
      lifecycle: { prevent_destroy: true },
    });
    expect(resources(json, "databricks_schema").unity_catalog_schema).toMatchObject({
      name: "seismograph",
      lifecycle: { prevent_destroy: true },
    });
    const grants = resources(json, "databricks_grants");
    expect(grants.unity_catalog_catalog_grants.grant).toEqual([
      { principal: "0b7d4e21-95c3-4f8a-a1d6-7e3f9c2b5a48", privileges: ["USE_CATALOG"] },
      { principal: "seismo-analysts", privileges: ["USE_CATALOG"] },
      {
        principal: "seismo-engineers",
        privileges: ["CREATE_TABLE", "MODIFY", "SELECT", "USE_CATALOG", "USE_SCHEMA"],
      },
    ]);
    const securables = Object.values(grants).map((g) =>
      ["catalog", "schema", "credential", "share"].map((k) => g[k]).find((v) => v !== undefined),
    );
    expect(new Set(securables).size).toBe(securables.length);
  });
});

describe("the identity the pipeline and jobs run as", () => {
  it("may publish and read the schema's tables, merged into the authoritative grants", () => {
    const grants = resources(synth("prod"), "databricks_grants").unity_catalog_schema_grants.grant;
    expect(grants).toEqual([
      {
        principal: "0b7d4e21-95c3-4f8a-a1d6-7e3f9c2b5a48",
        privileges: ["CREATE_MATERIALIZED_VIEW", "CREATE_TABLE", "MODIFY", "SELECT", "USE_SCHEMA"],
      },
      { principal: "seismo-analysts", privileges: ["SELECT", "USE_SCHEMA"] },
    ]);
    // The continuous pipeline's first update needs them in place.
    expect(only(synth("prod"), "databricks_pipeline").depends_on).toEqual(
      expect.arrayContaining([
        "databricks_grants.unity_catalog_catalog_grants",
        "databricks_grants.unity_catalog_schema_grants",
      ]),
    );
  });

  it("gets nothing extra when the deploying identity, the catalog's owner, runs them", () => {
    const grants = resources(synth("dev"), "databricks_grants").unity_catalog_schema_grants.grant;
    expect(grants).toEqual([{ principal: "seismo-analysts", privileges: ["SELECT", "USE_SCHEMA"] }]);
  });
});

describe("the events pipeline", () => {
  const pipeline = (name: string) => only(synth(name), "databricks_pipeline");

  it("runs continuously in production and triggered with development: true in development", () => {
    expect(pipeline("prod")).toMatchObject({ continuous: true, development: false, serverless: true });
    expect(pipeline("dev")).toMatchObject({ continuous: false, development: true, serverless: true });
  });

  it("reads its stream, region and credential from configuration, not constants", () => {
    expect(pipeline("prod").configuration).toEqual({
      "lakestack.kinesis.stream_name": "${aws_kinesis_stream.events_stream.name}",
      "lakestack.kinesis.region": "eu-west-1",
      "lakestack.kinesis.service_credential": "${databricks_credential.credentials_kinesis.name}",
      "lakestack.kinesis.starting_position": "trim_horizon",
      "lakestack.contract.magnitude_max": "3000",
      "lakestack.contract.max_age_seconds": "86400",
      "lakestack.contract.max_ahead_seconds": "900",
      "lakestack.contract.device_pattern": "^client-[0-9a-f]{6,64}$",
      "lakestack.contract.quarantine_schema": "seismo_prod.seismograph_quarantine",
    });
    expect(pipeline("prod")).toMatchObject({
      catalog: "${databricks_catalog.unity_catalog_catalog.name}",
      schema: "${databricks_schema.unity_catalog_schema.name}",
      library: [{ notebook: { path: "${databricks_notebook.notebooks_events_pipeline.path}" } }],
      run_as: { service_principal_name: "0b7d4e21-95c3-4f8a-a1d6-7e3f9c2b5a48" },
    });
  });

  it("waits for everything its first update needs", () => {
    expect(pipeline("prod").depends_on).toEqual(
      expect.arrayContaining([
        "databricks_credential.credentials_kinesis",
        "databricks_grants.credentials_kinesis_grants",
        // The Kinesis reader role and its policy, through the wait for IAM to spread them.
        "time_sleep.databricks_access_iam_propagation",
        "databricks_notebook.notebooks_events_pipeline",
        "aws_kinesis_stream.events_stream",
      ]),
    );
  });

  it("notifies YAML recipients of failed updates", () => {
    expect(pipeline("prod").notification).toEqual([
      {
        email_recipients: ["seismo-oncall@example.com"],
        alerts: ["on-update-failure", "on-update-fatal-failure", "on-flow-failure"],
      },
    ]);
  });
});

describe("workflows jobs", () => {
  const job = (env: string, key: string) => resources(synth(env), "databricks_job")[`job_${key}_job`];

  it("pauses schedules in development only", () => {
    expect(job("dev", "device_max").schedule).toEqual({
      quartz_cron_expression: "0 0/15 * * * ?",
      timezone_id: "UTC",
      pause_status: "PAUSED",
    });
    expect(job("prod", "device_max").schedule.pause_status).toBe("UNPAUSED");
  });

  it("runs notebook tasks on serverless compute with the environment's catalog and schema", () => {
    const [task] = job("prod", "device_max").task;
    expect(task).toEqual({
      task_key: "device_max",
      notebook_task: {
        notebook_path: "${databricks_notebook.notebooks_device_max.path}",
        source: "WORKSPACE",
        base_parameters: { catalog: "seismo_prod", schema: "seismograph" },
      },
    });
    expect(job("prod", "device_max")).toMatchObject({
      max_concurrent_runs: 1,
      queue: { enabled: true },
      email_notifications: { on_failure: ["seismo-oncall@example.com"] },
      run_as: { service_principal_name: "0b7d4e21-95c3-4f8a-a1d6-7e3f9c2b5a48" },
    });
  });
});

describe("the SQL warehouse", () => {
  it("is serverless PRO, set explicitly, and stops when idle", () => {
    for (const env of ["dev", "prod"]) {
      const warehouse = only(synth(env), "databricks_sql_endpoint");
      expect(warehouse).toMatchObject({ enable_serverless_compute: true, warehouse_type: "PRO" });
      expect(warehouse.auto_stop_mins).toBeGreaterThan(0);
    }
    expect(only(synth("prod"), "databricks_sql_endpoint")).toMatchObject({
      cluster_size: "X-Small",
      max_num_clusters: 2,
    });
  });
});

describe("Delta Sharing", () => {
  it("shares the schema so the first deploy works, objects sorted by name", () => {
    const json = synthStack(
      variantEnvironment("prod", {
        sharing: {
          objects: {
            sensor: { type: "STREAMING_TABLE" },
            device_max: { history: true },
          },
        },
      }),
    ).json;
    expect(only(json, "databricks_share").object).toEqual([
      { name: "seismo_prod.seismograph", data_object_type: "SCHEMA" },
      {
        name: "seismo_prod.seismograph.device_max",
        data_object_type: "TABLE",
        history_data_sharing_status: "ENABLED",
      },
      {
        name: "seismo_prod.seismograph.sensor",
        data_object_type: "STREAMING_TABLE",
        history_data_sharing_status: "DISABLED",
      },
    ]);
  });

  it("grants SELECT on the share to each recipient", () => {
    const json = synth("prod");
    expect(resources(json, "databricks_grants").delta_sharing_share_grants).toEqual(
      expect.objectContaining({
        share: "${databricks_share.delta_sharing_share.name}",
        grant: [
          {
            principal: "${databricks_recipient.delta_sharing_recipient_partner_analytics.name}",
            privileges: ["SELECT"],
          },
          {
            principal: "${databricks_recipient.delta_sharing_recipient_partner_research.name}",
            privileges: ["SELECT"],
          },
        ],
      }),
    );
    expect(resources(json, "databricks_recipient").delta_sharing_recipient_partner_research).toMatchObject({
      authentication_type: "TOKEN",
      ip_access_list: { allowed_ip_addresses: ["198.51.100.0/24", "192.0.2.10"] },
    });
    expect(resources(json, "databricks_recipient").delta_sharing_recipient_partner_analytics).toMatchObject({
      authentication_type: "DATABRICKS",
      data_recipient_global_metastore_id: "aws:eu-west-1:3f9a1c7e-2b4d-4e8f-9a6c-1d5e7b3f0a92",
    });
  });

  it("puts a token recipient's activation link only in a sensitive output", () => {
    const outputs = synth("prod").output;
    expect(outputs.partner_researchActivationUrl).toEqual({
      value: "${databricks_recipient.delta_sharing_recipient_partner_research.tokens[0].activation_url}",
      sensitive: true,
    });
    expect(outputs).not.toHaveProperty("partner_analyticsActivationUrl");
    const activation = Object.values(outputs).filter((o) => String(o.value).includes("activation_url"));
    expect(activation.every((o) => o.sensitive === true)).toBe(true);
  });
});

describe("the pipeline notebook, run with recorders for dlt, pyspark and spark", () => {
  const harness = join(__dirname, "run_pipeline_notebook.py");
  const notebook = join(REPO_ROOT, "notebooks", "events_pipeline.py");
  const run = (configuration: Record<string, string>) =>
    JSON.parse(
      execFileSync("python3", [harness, notebook, JSON.stringify(configuration)], { encoding: "utf8" }),
    ) as {
      datasets: { kind: string; name: string; expectations: Record<string, string> }[];
      read: string[];
    };
  /** The configuration the production stack writes, references replaced by sample values. */
  const configuration = () =>
    Object.fromEntries(
      Object.entries(
        resources(synth("prod"), "databricks_pipeline").events_pipeline_pipeline.configuration as Record<
          string,
          string
        >,
      ).map(([key, value]) => [key, value.startsWith("${") ? `sample-${key}` : value]),
    );

  it("reads exactly the configuration the stack writes", () => {
    const written = configuration();
    expect([...new Set(run(written).read)].sort()).toEqual(Object.keys(written).sort());
  });

  it("keeps only events that keep the contract in sensor, with the YAML's bounds", () => {
    const { datasets } = run(configuration());
    const valid = datasets.find((d) => d.name === "events_valid")!;
    expect(valid.kind).toBe("view");
    expect(Object.values(valid.expectations)).toEqual([
      "coalesce(magnitude BETWEEN 0 AND 3000.0 AND NOT isnan(magnitude), false)",
      "coalesce(time BETWEEN arrived_at - INTERVAL 86400 SECONDS AND arrived_at + INTERVAL 900 SECONDS, false)",
      `coalesce(device RLIKE '${DEVICE_ID_PATTERN.source}', false)`,
      "coalesce(partition_key = device, false)",
      "coalesce(size(array_except(json_object_keys(body), array('magnitude', 'time', 'device', 'received_at'))) = 0, false)",
    ]);
    const notebookText = readFileSync(notebook, "utf8");
    expect(notebookText).toMatch(/def sensor\(\):\n\s+return dlt\.read_stream\("events_valid"\)/);
  });

  it("sends the rest to the quarantine schema, with the reasons, and counts both", () => {
    const names = run(configuration()).datasets.map((d) => d.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "seismo_prod.seismograph_quarantine.events_raw",
        "seismo_prod.seismograph_quarantine.events_quarantine",
        "seismo_prod.seismograph_quarantine.event_quality",
      ]),
    );
    // The shared schema holds only what passed the contract: raw records stay in the unshared schema.
    expect(names).not.toContain("events_raw");
  });

  it("refuses a device pattern that would end its SQL string", () => {
    expect(() =>
      execFileSync(
        "python3",
        [
          harness,
          notebook,
          JSON.stringify({ ...configuration(), "lakestack.contract.device_pattern": "x' OR true --" }),
        ],
        { encoding: "utf8", stdio: "pipe" },
      ),
    ).toThrow(/device_pattern holds a quote or backslash/);
  });
});

describe("the quarantine", () => {
  it("alerts on the quarantine rate through the SQL warehouse, to an e-mail destination", () => {
    const json = synth("prod");
    const destination = resources(json, "databricks_notification_destination").quarantine_alert_destination;
    expect(destination.config.email.addresses).toEqual(["seismo-oncall@example.com"]);
    const alert = resources(json, "databricks_alert_v2").quarantine_alert_alert;
    expect(alert.warehouse_id).toBe("${databricks_sql_endpoint.sql_warehouse_warehouse.id}");
    expect(alert.query_text).toContain("FROM seismo_prod.seismograph_quarantine.events_quarantine");
    expect(alert.query_text).toContain("FROM seismo_prod.seismograph.sensor");
    expect(alert.evaluation).toMatchObject({
      source: { name: "quarantined_percent" },
      comparison_operator: "GREATER_THAN",
      threshold: { value: { double_value: 1 } },
      notification: {
        subscriptions: [
          { destination_id: "${databricks_notification_destination.quarantine_alert_destination.id}" },
        ],
      },
    });
    // Each check wakes the warehouse for its auto-stop minutes: daily by default, over the last day.
    expect(alert.schedule.quartz_cron_schedule).toBe("0 0 7 * * ?");
    expect(alert.query_text).toContain("INTERVAL 24 HOURS");
  });

  it("runs when alarms.quarantine_check says, over the window it names", () => {
    const json = synthStack(
      variantEnvironment("prod", { alarms: { quarantine_check: { cron: "0 0 * * * ?", window_hours: 1 } } }),
    ).json;
    const alert = resources(json, "databricks_alert_v2").quarantine_alert_alert;
    expect(alert.schedule.quartz_cron_schedule).toBe("0 0 * * * ?");
    expect(alert.query_text).toContain("INTERVAL 1 HOURS");
  });

  it("is a schema of its own, never shared, that the pipeline writes and waits for", () => {
    const json = synth("prod");
    expect(resources(json, "databricks_schema").unity_catalog_quarantine_schema).toMatchObject({
      name: "seismograph_quarantine",
      lifecycle: { prevent_destroy: true },
    });
    expect(resources(json, "databricks_grants").unity_catalog_quarantine_schema_grants.grant).toEqual([
      {
        principal: "0b7d4e21-95c3-4f8a-a1d6-7e3f9c2b5a48",
        privileges: ["CREATE_MATERIALIZED_VIEW", "CREATE_TABLE", "MODIFY", "SELECT", "USE_SCHEMA"],
      },
    ]);
    const share = Object.values(resources(json, "databricks_share"))[0];
    expect(JSON.stringify(share)).not.toContain("quarantine");
    expect(resources(json, "databricks_pipeline").events_pipeline_pipeline.depends_on).toContain(
      "databricks_schema.unity_catalog_quarantine_schema",
    );
  });
});

/**
 * What a first `terraform apply` on a fresh account and workspace needs: nothing Databricks validates against
 * IAM is created before IAM had time to spread, jobs wait for the tables and grants they read, and
 * development can be destroyed.
 */
describe("the first apply of every reference environment", () => {
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
        for (const [name, resource] of Object.entries(resources(json, type))) {
          expect(`${env} ${name}: ${resource.force_destroy ?? false}`).toBe(`${env} ${name}: ${development}`);
          expect(`${env} ${name}: ${resource.lifecycle?.prevent_destroy ?? false}`).toBe(
            `${env} ${name}: ${!development}`,
          );
        }
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
