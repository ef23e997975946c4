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
    // The role still exists before the location that Unity Catalog validates against it.
    expect(only(synth("prod"), "databricks_external_location").depends_on).toEqual(
      expect.arrayContaining(["aws_iam_role.databricks_access_lake_access_role"]),
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
    expect(only(json, "databricks_schema")).toMatchObject({
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
        "aws_iam_role.databricks_access_kinesis_reader_role",
        "aws_iam_role_policy.databricks_access_kinesis_reader_policy",
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
