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
  /** @default - unreserved */
  readonly reservedConcurrency?: number;
}

/** `POST /events` on an API Gateway HTTP API, written to the stream by a Lambda function. */
export class HttpIngest extends Construct {
  readonly api: Apigatewayv2Api;
  readonly function: LambdaFunction;
  readonly role: IamRole;

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
    new Apigatewayv2Route(this, "route", {
      apiId: this.api.id,
      routeKey: "POST /events",
      target: `integrations/${integration.id}`,
    });
    new Apigatewayv2Stage(this, "stage", {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.throttleRate ?? 100,
        throttlingBurstLimit: props.throttleBurst ?? 200,
      },
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
}
