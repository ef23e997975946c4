import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import type { EventStream } from "./event-stream";
import { policyDocument, serviceTrust } from "./iam";

/** A deployment package built at synth time. */
export interface LambdaCode {
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip: what Lambda compares to decide whether the code changed. */
  readonly codeSha256: string;
}

export interface HttpIngestProps {
  readonly stream: EventStream;
  readonly functionName: string;
  readonly roleName: string;
  readonly apiName: string;
  readonly code: LambdaCode;
  /** Browser origins allowed by CORS. @default - none: no CORS headers */
  readonly allowedOrigins?: readonly string[];
  /** @default 100 */
  readonly throttleRate?: number;
  /** @default 200 */
  readonly throttleBurst?: number;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Handler limits, passed as environment variables. */
  readonly maxBodyBytes: number;
  readonly maxBatchRecords: number;
  /** The event contract's bounds, passed as environment variables. */
  readonly contract: {
    readonly magnitudeMax: number;
    readonly maxAgeSeconds: number;
    readonly maxAheadSeconds: number;
  };
  /** The stage's access log group (JSON lines, one per request). */
  readonly accessLogGroupName: string;
  /** @default - unreserved */
  readonly reservedConcurrency?: number;
}

/** What the HTTP API writes per request to its access log: who called, what, and what came of it. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  error: "$context.error.message",
});

/**
 * `POST /events` on an API Gateway HTTP API, written to the stream by a Lambda function.
 *
 * The stage logs every request as a JSON line (API Gateway's access logging for HTTP APIs,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html) and throttles the
 * route itself as well as the stage's default. An HTTP API cannot carry a WAF: docs/security.md says
 * what to put in front of it when that is needed.
 */
export class HttpIngest extends Construct {
  readonly api: Apigatewayv2Api;
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly stage: Apigatewayv2Stage;

  constructor(scope: Construct, id: string, props: HttpIngestProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, "log_group", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "The HTTP ingest function: writes its own logs and puts records into the event stream.",
      assumeRolePolicy: serviceTrust("lambda.amazonaws.com"),
    });
    new IamRolePolicy(this, "role_policy", {
      name: "logs-and-put-records",
      role: this.role.id,
      policy: policyDocument([
        {
          Sid: "OwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${logGroup.arn}:*`,
        },
        ...props.stream.writeStatements(),
      ]),
    });
    const code = new TerraformAsset(this, "code", { path: props.code.zipPath, type: AssetType.FILE });
    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: "Validates device events and writes them to Kinesis with PutRecords.",
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: code.path,
      sourceCodeHash: props.code.codeSha256,
      memorySize: props.memoryMb ?? 256,
      timeout: props.timeoutSeconds ?? 10,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        variables: {
          STREAM_NAME: props.stream.name,
          MAX_BODY_BYTES: String(props.maxBodyBytes),
          MAX_BATCH_RECORDS: String(props.maxBatchRecords),
          MAGNITUDE_MAX: String(props.contract.magnitudeMax),
          MAX_EVENT_AGE_SECONDS: String(props.contract.maxAgeSeconds),
          MAX_EVENT_AHEAD_SECONDS: String(props.contract.maxAheadSeconds),
        },
      },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
    });

    this.api = new Apigatewayv2Api(this, "api", {
      name: props.apiName,
      protocolType: "HTTP",
      description: "Device events in: POST /events.",
      corsConfiguration: props.allowedOrigins?.length
        ? {
            allowOrigins: [...props.allowedOrigins],
            allowMethods: ["POST", "OPTIONS"],
            allowHeaders: ["content-type"],
            maxAge: 3600,
          }
        : undefined,
    });
    const integration = new Apigatewayv2Integration(this, "integration", {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationUri: this.function.invokeArn,
      payloadFormatVersion: "2.0",
    });
    const route = new Apigatewayv2Route(this, "route", {
      apiId: this.api.id,
      routeKey: ROUTE_KEY,
      target: `integrations/${integration.id}`,
    });
    const accessLogs = new CloudwatchLogGroup(this, "access_log_group", {
      name: props.accessLogGroupName,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    const throttling = {
      throttlingRateLimit: props.throttleRate ?? 100,
      throttlingBurstLimit: props.throttleBurst ?? 200,
    };
    this.stage = new Apigatewayv2Stage(this, "stage", {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: throttling,
      // Route settings apply to a route that exists: without the dependency the stage may come first.
      routeSettings: [{ routeKey: ROUTE_KEY, ...throttling }],
      dependsOn: [route],
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
    });
    new LambdaPermission(this, "invoke_permission", {
      statementId: "AllowApiGatewayPostEvents",
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/*/POST/events`,
    });
  }

  get ingestUrl(): string {
    return `${this.api.apiEndpoint}/events`;
  }

  /** The API's origin, `https://<id>.execute-api.<region>.amazonaws.com`, for the page's CSP. */
  get origin(): string {
    return this.api.apiEndpoint;
  }
}

const ROUTE_KEY = "POST /events";
