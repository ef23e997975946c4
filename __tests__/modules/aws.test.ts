import { evaluate } from "../../policy/engine";
import { ResourceIndex, type TerraformDocument } from "../../policy/resources";
import {
  actionsOf,
  only,
  policy,
  referenceEnvironment,
  referenceSynths,
  resources,
  synthStack,
  variantEnvironment,
  type TerraformJson,
} from "../helpers";

const synths = referenceSynths();
const synth = (name: string) => synths.get(name)!;

describe("the event stream", () => {
  it("is encrypted with the AWS-managed key and sized per environment", () => {
    const dev = only(synth("dev"), "aws_kinesis_stream");
    expect(dev).toMatchObject({
      name: "seismo-dev-events",
      encryption_type: "KMS",
      kms_key_id: "alias/aws/kinesis",
      retention_period: 24,
      shard_count: 1,
      stream_mode_details: { stream_mode: "PROVISIONED" },
    });
    const prod = only(synth("prod"), "aws_kinesis_stream");
    expect(prod.stream_mode_details).toEqual({ stream_mode: "ON_DEMAND" });
    expect(prod).not.toHaveProperty("shard_count");
    expect(prod.shard_level_metrics).toEqual([
      "IncomingRecords",
      "WriteProvisionedThroughputExceeded",
      "IteratorAgeMilliseconds",
    ]);
  });

  it("grants KMS on a customer key only to those who need it", () => {
    const key = "arn:aws:kms:eu-west-1:500000000101:key/1b2c3d4e-0000-4000-8000-000000000001";
    const json = synthStack(variantEnvironment("dev", { stream: { kms_key_arn: key } })).json;
    expect(only(json, "aws_kinesis_stream").kms_key_id).toBe(key);
    const statements = (name: string) =>
      policy(resources(json, "aws_iam_role_policy")[name].policy).Statement;
    const keyGrant = (name: string) =>
      statements(name)
        .filter((s) => s.Resource === key)
        .map(actionsOf);
    expect(keyGrant("browser_guest_put_records")).toEqual([["kms:GenerateDataKey"]]);
    expect(keyGrant("http_ingest_role_policy")).toEqual([["kms:GenerateDataKey"]]);
    expect(keyGrant("databricks_access_kinesis_reader_policy")).toEqual([["kms:Decrypt"]]);
    // Without a customer key nobody gets KMS permissions.
    const refs = JSON.stringify(resources(synth("dev"), "aws_iam_role_policy"));
    expect(refs).not.toContain("kms:");
  });
});

describe("browser ingest", () => {
  const guestPolicy = () =>
    policy(resources(synth("prod"), "aws_iam_role_policy").browser_guest_put_records.policy);

  it("lets guests put records into this one stream and nothing else", () => {
    expect(guestPolicy().Statement).toEqual([
      {
        Sid: "PutRecords",
        Effect: "Allow",
        Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
        Resource: "${aws_kinesis_stream.events_stream.arn}",
      },
    ]);
  });

  it("trusts Cognito only for this pool's unauthenticated identities", () => {
    const role = resources(synth("prod"), "aws_iam_role").browser_guest_role;
    const [trust] = policy(role.assume_role_policy).Statement;
    expect(trust).toEqual({
      Effect: "Allow",
      Principal: { Federated: "cognito-identity.amazonaws.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.browser_identity_pool.id}",
        },
        "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" },
      },
    });
  });

  it("enables the basic flow: the enhanced flow's session policy has no Kinesis actions", () => {
    expect(only(synth("prod"), "aws_cognito_identity_pool")).toMatchObject({
      allow_unauthenticated_identities: true,
      allow_classic_flow: true,
    });
    expect(only(synth("prod"), "aws_cognito_identity_pool_roles_attachment").roles).toEqual({
      unauthenticated: "${aws_iam_role.browser_guest_role.arn}",
    });
  });

  it("serves the page from a bucket that is public through its policy only", () => {
    const json = synth("prod");
    const block = resources(json, "aws_s3_bucket_public_access_block").browser_site_public_access;
    expect(block).toMatchObject({
      block_public_acls: true,
      ignore_public_acls: true,
      block_public_policy: false,
      restrict_public_buckets: false,
    });
    expect(resources(json, "aws_s3_bucket_ownership_controls").browser_site_ownership.rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
    const sitePolicy = resources(json, "aws_s3_bucket_policy").browser_site_policy;
    expect(sitePolicy.depends_on).toEqual(
      expect.arrayContaining([
        "aws_s3_bucket_public_access_block.browser_site_public_access",
        "aws_s3_bucket_ownership_controls.browser_site_ownership",
      ]),
    );
    expect(policy(sitePolicy.policy).Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: "${aws_s3_bucket.browser_site_bucket.arn}/*",
      }),
    ]);
  });

  it("serves the page over HTTPS, which motion sensors and WebCrypto require", () => {
    const json = synth("prod");
    const distribution = only(json, "aws_cloudfront_distribution");
    expect(distribution.origin).toEqual([
      expect.objectContaining({
        domain_name: "${aws_s3_bucket_website_configuration.browser_site_website.website_endpoint}",
        custom_origin_config: expect.objectContaining({ origin_protocol_policy: "http-only" }),
      }),
    ]);
    expect(distribution.default_cache_behavior).toMatchObject({
      viewer_protocol_policy: "redirect-to-https",
      allowed_methods: ["GET", "HEAD"],
    });
    expect(json.output.siteUrl.value).toBe(
      "https://${aws_cloudfront_distribution.browser_site_distribution.domain_name}/",
    );
  });

  it("uploads every built page file with its content type, index.html uncached", () => {
    const objects = Object.values(resources(synth("prod"), "aws_s3_object")).filter(
      (o) => o.bucket === "${aws_s3_bucket.browser_site_bucket.id}" && o.key !== "config.json",
    );
    const index = objects.find((o) => o.key === "index.html");
    expect(index).toMatchObject({ content_type: "text/html; charset=utf-8", cache_control: "no-cache" });
    // index.html is written from its content: its CSP names this environment's endpoints.
    expect(index.content).toContain("<!doctype html>");
    const asset = objects.find((o) => o.key.endsWith(".js"));
    expect(asset.source).toMatch(/^assets\//);
    expect(asset.source_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(objects.some((o) => o.key.endsWith(".js") && o.content_type.startsWith("text/javascript"))).toBe(
      true,
    );
  });

  it("publishes config.json built by Terraform from resource attributes", () => {
    const config = resources(synth("prod"), "aws_s3_object").browser_site_config;
    expect(config).toMatchObject({
      key: "config.json",
      content_type: "application/json",
      cache_control: "no-cache",
    });
    expect(config.content).toMatch(/^\$\{jsonencode\(\{/);
    for (const reference of [
      "aws_kinesis_stream.events_stream.name",
      "aws_cognito_identity_pool.browser_identity_pool.id",
      "aws_iam_role.browser_guest_role.arn",
      "aws_apigatewayv2_api.http_ingest_api.api_endpoint",
    ]) {
      expect(config.content).toContain(reference);
    }
  });
});

describe("HTTP ingest", () => {
  it("runs Node.js 22 on arm64 with JSON logs, sized from YAML", () => {
    expect(only(synth("prod"), "aws_lambda_function")).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memory_size: 512,
      timeout: 10,
      logging_config: {
        log_format: "JSON",
        log_group: "${aws_cloudwatch_log_group.http_ingest_log_group.name}",
      },
      environment: {
        variables: expect.objectContaining({ STREAM_NAME: "${aws_kinesis_stream.events_stream.name}" }),
      },
    });
    expect(resources(synth("prod"), "aws_cloudwatch_log_group").http_ingest_log_group.retention_in_days).toBe(
      90,
    );
    expect(resources(synth("dev"), "aws_cloudwatch_log_group").http_ingest_log_group.retention_in_days).toBe(
      7,
    );
  });

  it("reserves concurrency only when the YAML opts in", () => {
    // prod runs no other function in its account: a reservation would only cap the ingest function.
    expect(only(synth("prod"), "aws_lambda_function").reserved_concurrent_executions).toBeUndefined();
    const reserved = synthStack(
      variantEnvironment("prod", { http_ingest: { reserved_concurrency: 50 } }),
    ).json;
    expect(only(reserved, "aws_lambda_function").reserved_concurrent_executions).toBe(50);
  });

  it("ships its code as an asset relative to the stack folder, hashed by content", () => {
    const fn = only(synth("prod"), "aws_lambda_function");
    expect(fn.filename).toMatch(/^assets\/http_ingest_code\/[0-9A-F]+\/[^/]+\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // Same sources, same zip, same hash: no perpetual diff.
    const again = only(synthStack(referenceEnvironment("prod")).json, "aws_lambda_function");
    expect(again.source_code_hash).toBe(fn.source_code_hash);
    expect(again.filename).toBe(fn.filename);
  });

  it("may write only its own logs and put records", () => {
    const statements = policy(
      resources(synth("prod"), "aws_iam_role_policy").http_ingest_role_policy.policy,
    ).Statement;
    expect(statements.map((s) => [actionsOf(s), s.Resource])).toEqual([
      [
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        "${aws_cloudwatch_log_group.http_ingest_log_group.arn}:*",
      ],
      [["kinesis:PutRecord", "kinesis:PutRecords"], "${aws_kinesis_stream.events_stream.arn}"],
    ]);
  });

  it("routes POST /events, throttled from YAML, CORS limited to the site's origin", () => {
    const json = synth("prod");
    expect(only(json, "aws_apigatewayv2_route").route_key).toBe("POST /events");
    expect(only(json, "aws_apigatewayv2_stage").default_route_settings).toEqual({
      throttling_rate_limit: 1000,
      throttling_burst_limit: 2000,
    });
    expect(only(json, "aws_apigatewayv2_api").cors_configuration.allow_origins).toEqual([
      "https://${aws_cloudfront_distribution.browser_site_distribution.domain_name}",
    ]);
    expect(only(json, "aws_lambda_permission").source_arn).toBe(
      "${aws_apigatewayv2_api.http_ingest_api.execution_arn}/*/POST/events",
    );
  });
});

describe("the data lake", () => {
  const lake = (name: string, type: string, id: string) => resources(synth(name), type)[`lake_${id}`];

  it("blocks all public access, encrypts, versions and expires old versions", () => {
    expect(lake("prod", "aws_s3_bucket_public_access_block", "public_access")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(
      resources(synth("prod"), "aws_s3_bucket_server_side_encryption_configuration").lake_encryption.rule,
    ).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
    expect(
      resources(synth("prod"), "aws_s3_bucket_versioning").lake_versioning.versioning_configuration,
    ).toEqual({
      status: "Enabled",
    });
    const rules = lake("prod", "aws_s3_bucket_lifecycle_configuration", "lifecycle").rule;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
        expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
      ]),
    );
  });

  it("denies every request that is not over TLS", () => {
    const [statement] = policy(resources(synth("prod"), "aws_s3_bucket_policy").lake_policy.policy).Statement;
    expect(statement).toMatchObject({
      Effect: "Deny",
      Principal: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("keeps raw/, processed/ and curated/", () => {
    const keys = Object.values(resources(synth("prod"), "aws_s3_object"))
      .filter((o) => o.bucket === "${aws_s3_bucket.lake_bucket.id}")
      .map((o) => o.key)
      .sort();
    expect(keys).toEqual(["curated/", "processed/", "raw/"]);
  });

  it("force-destroys only in development, and is protected in production", () => {
    expect(resources(synth("dev"), "aws_s3_bucket").lake_bucket.force_destroy).toBe(true);
    const prodLake = resources(synth("prod"), "aws_s3_bucket").lake_bucket;
    expect(prodLake.force_destroy).toBe(false);
    expect(prodLake.lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe("least privilege", () => {
  // A log group's ":*" (its streams) is scoped; a bare "*" resource or a service-wide "svc:*" action is not.
  it("no Allow statement written by the project has * as action or resource", () => {
    for (const [name, json] of synths) {
      const documents = [
        ...Object.values(resources(json, "aws_iam_role_policy")).map((p) => p.policy),
        ...Object.values(resources(json, "aws_iam_role")).map((r) => r.assume_role_policy),
        ...Object.values(resources(json, "aws_s3_bucket_policy")).map((p) => p.policy),
      ];
      expect(documents.length).toBeGreaterThan(5);
      for (const document of documents) {
        for (const statement of policy(document).Statement.filter((s) => s.Effect === "Allow")) {
          const wildcard = [
            ...[statement.Action].flat().filter((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a)),
            ...[statement.Resource ?? []].flat().filter((r) => r === "*"),
          ];
          expect({ environment: name, wildcard }).toEqual({ environment: name, wildcard: [] });
        }
      }
    }
  });
});

describe("the permissions boundary", () => {
  it("caps every role of the environment when the YAML asks for it, the guests with a boundary of their own", () => {
    const roles = resources(synth("prod"), "aws_iam_role");
    expect(Object.keys(roles).length).toBe(4);
    for (const [name, role] of Object.entries(roles)) {
      expect(role.permissions_boundary).toBe(
        name === "browser_guest_role"
          ? "arn:aws:iam::500000000303:policy/seismo-prod-guest-boundary"
          : "arn:aws:iam::500000000303:policy/seismo-prod-boundary",
      );
    }
    const without = synthStack(variantEnvironment("prod", { aws: { permissions_boundary: false } })).json;
    expect(
      Object.fromEntries(
        Object.entries(resources(without, "aws_iam_role")).map(([name, r]) => [name, r.permissions_boundary]),
      ),
    ).toEqual({
      browser_guest_role: "${aws_iam_policy.browser_guest_boundary.arn}",
      databricks_access_kinesis_reader_role: undefined,
      databricks_access_lake_access_role: undefined,
      http_ingest_role: undefined,
    });
    // The stack's own guest boundary allows exactly what the guest policy does: put records.
    const boundary = resources(without, "aws_iam_policy").browser_guest_boundary;
    expect(boundary.name).toBe("seismo-prod-guest-boundary");
    expect(policy(boundary.policy).Statement).toEqual([
      {
        Sid: "PutRecords",
        Effect: "Allow",
        Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
        Resource: "${aws_kinesis_stream.events_stream.arn}",
      },
    ]);
  });
});

describe("YAML switches", () => {
  const addresses = (json: TerraformJson) =>
    Object.entries(json.resource).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => `${type}.${name}`),
    );

  it("browser_ingest: false removes exactly the page, its bucket and the Cognito guests", () => {
    const full = addresses(synth("staging"));
    const without = addresses(
      synthStack(variantEnvironment("staging", { browser_ingest: { enabled: false } })).json,
    );
    const removed = full.filter((a) => !without.includes(a));
    expect(without.filter((a) => !full.includes(a))).toEqual([]);
    expect(removed.every((a) => /\.browser_/.test(a))).toBe(true);
    expect(removed).toEqual(
      expect.arrayContaining([
        "aws_cognito_identity_pool.browser_identity_pool",
        "aws_iam_role.browser_guest_role",
        "aws_s3_bucket.browser_site_bucket",
        "aws_s3_object.browser_site_config",
      ]),
    );
    expect(full.filter((a) => /\.browser_/.test(a))).toEqual(removed);
  });

  it("http_ingest: false removes exactly the API, the function and its role", () => {
    const full = addresses(synth("staging"));
    const json = synthStack(variantEnvironment("staging", { http_ingest: { enabled: false } })).json;
    const without = addresses(json);
    expect(without.filter((a) => !full.includes(a))).toEqual([]);
    // Its alarms go with it.
    expect(full.filter((a) => !without.includes(a))).toEqual(
      full.filter((a) => /\.(http_ingest_|alarms_ingest_)/.test(a)),
    );
    expect(resources(json, "aws_s3_object").browser_site_config.content).toContain('"ingestUrl" = null');
  });
});

const connectSources = (json: TerraformJson) =>
  /connect-src 'self' ([^;"]*)/
    .exec(resources(json, "aws_s3_object").browser_site_index_html.content)![1]
    .split(" ");

describe("the HTTP API", () => {
  it("logs every request as a JSON line to a log group with retention", () => {
    const json = synth("prod");
    const stage = resources(json, "aws_apigatewayv2_stage").http_ingest_stage;
    expect(stage.access_log_settings.destination_arn).toBe(
      "${aws_cloudwatch_log_group.http_ingest_access_log_group.arn}",
    );
    const format = JSON.parse(stage.access_log_settings.format);
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      ip: "$context.identity.sourceIp",
      status: "$context.status",
      routeKey: "$context.routeKey",
    });
    expect(resources(json, "aws_cloudwatch_log_group").http_ingest_access_log_group).toMatchObject({
      name: "/aws/apigateway/seismo-prod-ingest",
      retention_in_days: 90,
    });
  });

  it("throttles the route itself, after it exists", () => {
    const stage = resources(synth("prod"), "aws_apigatewayv2_stage").http_ingest_stage;
    expect(stage.route_settings).toEqual([
      { route_key: "POST /events", throttling_rate_limit: 1000, throttling_burst_limit: 2000 },
    ]);
    expect(stage.depends_on).toContain("aws_apigatewayv2_route.http_ingest_route");
  });

  it("hands the contract's bounds to the ingest function", () => {
    expect(
      resources(synth("prod"), "aws_lambda_function").http_ingest_function.environment.variables,
    ).toMatchObject({
      MAGNITUDE_MAX: "3000",
      MAX_EVENT_AGE_SECONDS: "86400",
      MAX_EVENT_AHEAD_SECONDS: "900",
    });
  });
});

describe("the page's Content-Security-Policy", () => {
  it("lists exactly Cognito, STS and Kinesis in the region and the ingest API", () => {
    expect(connectSources(synth("prod"))).toEqual([
      "https://cognito-identity.eu-west-1.amazonaws.com",
      "https://sts.eu-west-1.amazonaws.com",
      "https://kinesis.eu-west-1.amazonaws.com",
      "${aws_apigatewayv2_api.http_ingest_api.api_endpoint}",
    ]);
  });
});

describe("alarms", () => {
  const alarms = (json: TerraformJson) => resources(json, "aws_cloudwatch_metric_alarm");

  it("production has an SNS topic with the on-call e-mails and an alarm per failure that matters", () => {
    const json = synth("prod");
    expect(resources(json, "aws_sns_topic").alarms_topic.name).toBe("seismo-prod-alarms");
    expect(Object.values(resources(json, "aws_sns_topic_subscription"))).toEqual([
      expect.objectContaining({ protocol: "email", endpoint: "seismo-oncall@example.com" }),
    ]);
    const byName: Record<string, any> = Object.fromEntries(
      Object.values(alarms(json)).map((a) => [a.alarm_name, a]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      "seismo-prod-ingest-5xx",
      "seismo-prod-ingest-errors",
      "seismo-prod-ingest-throttles",
      "seismo-prod-stream-incoming-records",
      "seismo-prod-stream-iterator-age",
      "seismo-prod-stream-write-throttled",
    ]);
    for (const alarm of Object.values(byName)) {
      expect(alarm.alarm_actions).toEqual(["${aws_sns_topic.alarms_topic.arn}"]);
    }
    expect(byName["seismo-prod-stream-iterator-age"]).toMatchObject({
      namespace: "AWS/Kinesis",
      metric_name: "GetRecords.IteratorAgeMilliseconds",
      dimensions: { StreamName: "${aws_kinesis_stream.events_stream.name}" },
      threshold: 300_000,
      // The production pipeline reads continuously: no read metrics at all means it stopped.
      treat_missing_data: "breaching",
    });
    expect(byName["seismo-prod-stream-write-throttled"]).toMatchObject({
      metric_name: "WriteProvisionedThroughputExceeded",
      // 0.1% of five minutes at the 1,500 events/s capacity plan.
      threshold: 450,
    });
    expect(byName["seismo-prod-stream-incoming-records"]).toMatchObject({
      metric_name: "IncomingRecords",
      period: 60,
      threshold: 90_000,
    });
    expect(byName["seismo-prod-ingest-errors"]).toMatchObject({
      namespace: "AWS/Lambda",
      dimensions: { FunctionName: "${aws_lambda_function.http_ingest_function.function_name}" },
    });
    const share = byName["seismo-prod-ingest-5xx"].metric_query;
    expect(share.map((q: { id: string }) => q.id)).toEqual(["errors", "requests", "percent"]);
    expect(share[0].metric).toMatchObject({ namespace: "AWS/ApiGateway", metric_name: "5xx" });
    expect(share[0].metric.dimensions).toEqual({ ApiId: "${aws_apigatewayv2_api.http_ingest_api.id}" });
  });

  it("tells the same people about failed pipeline updates", () => {
    const pipeline = resources(synth("prod"), "databricks_pipeline").events_pipeline_pipeline;
    expect(pipeline.notification[0].email_recipients).toEqual(["seismo-oncall@example.com"]);
  });

  it("development has none unless it asks, and YAML overrides the derived thresholds", () => {
    expect(alarms(synth("dev"))).toEqual({});
    const json = synthStack(
      variantEnvironment("dev", {
        alarms: {
          enabled: true,
          throttled_records: 5,
          iterator_age_seconds: 120,
          emails: ["dev-oncall@example.com"],
        },
      }),
    ).json;
    const byName: Record<string, any> = Object.fromEntries(
      Object.values(alarms(json)).map((a) => [a.alarm_name, a]),
    );
    expect(byName["seismo-dev-stream-write-throttled"].threshold).toBe(5);
    expect(byName["seismo-dev-stream-iterator-age"]).toMatchObject({
      threshold: 120_000,
      treat_missing_data: "notBreaching",
    });
    // Derived from dev's capacity plan of 200 events/s.
    expect(byName["seismo-dev-stream-incoming-records"].threshold).toBe(12_000);
    expect(Object.values(resources(json, "aws_sns_topic_subscription")).map((s) => s.endpoint)).toEqual([
      "dev-oncall@example.com",
    ]);
  });
});

describe("browser_ingest.transport: http", () => {
  const environment = variantEnvironment("prod", { browser_ingest: { transport: "http" } });
  let json: TerraformJson;
  beforeAll(() => (json = synthStack(environment).json));

  it("creates no identity pool, no guest role, no guest policy", () => {
    const addresses = Object.entries(json.resource).flatMap(([type, r]) =>
      Object.keys(r).map((n) => `${type}.${n}`),
    );
    expect(addresses.filter((a) => /identity_pool|guest/.test(a))).toEqual([]);
    expect(json.output.identityPoolId).toBeUndefined();
  });

  it("makes the page post to the HTTP ingest and lets it call nothing else", () => {
    const config = resources(json, "aws_s3_object").browser_site_config.content;
    expect(config).toContain('"identityPoolId" = null');
    expect(config).toContain('"guestRoleArn" = null');
    expect(config).toContain('"transport" = "http"');
    expect(connectSources(json)).toEqual(["${aws_apigatewayv2_api.http_ingest_api.api_endpoint}"]);
  });

  it("needs no waiver for guest access: the one base.yaml carries matches nothing (LS-WAIVE-1)", () => {
    const findings = evaluate({
      resources: ResourceIndex.fromTerraform(json as unknown as TerraformDocument),
      environment,
    });
    expect(findings.filter((f) => f.rule === "LS-COG-1")).toEqual([]);
    expect(findings.filter((f) => f.rule === "LS-WAIVE-1")).toEqual([
      expect.objectContaining({
        resource: "aws_cognito_identity_pool.browser_identity_pool",
        severity: "error",
      }),
    ]);
  });
});
