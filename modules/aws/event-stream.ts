import { KinesisStream } from "@cdktf/provider-aws/lib/kinesis-stream";
import { Construct } from "constructs";
import type { PolicyStatement } from "./iam";

/** What a producer may do with the stream. */
export const STREAM_WRITE_ACTIONS = ["kinesis:PutRecord", "kinesis:PutRecords"];
/** What a polling consumer may do with the stream. */
export const STREAM_READ_ACTIONS = [
  "kinesis:DescribeStream",
  "kinesis:DescribeStreamSummary",
  "kinesis:GetRecords",
  "kinesis:GetShardIterator",
  "kinesis:ListShards",
];

export interface EventStreamProps {
  readonly name: string;
  /** @default "on-demand" */
  readonly mode?: "on-demand" | "provisioned";
  /** Provisioned mode only. */
  readonly shards?: number;
  /** @default 24 */
  readonly retentionHours?: number;
  /** Customer-managed key. @default - the AWS-managed key alias/aws/kinesis */
  readonly kmsKeyArn?: string;
  /** @default [] */
  readonly shardLevelMetrics?: readonly string[];
  /** Refuse terraform destroy of the stream (production). @default false */
  readonly protect?: boolean;
}

/** The Kinesis data stream every event passes through, with the grants its producers and consumers need. */
export class EventStream extends Construct {
  readonly stream: KinesisStream;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EventStreamProps,
  ) {
    super(scope, id);
    const provisioned = props.mode === "provisioned";
    this.stream = new KinesisStream(this, "stream", {
      name: props.name,
      streamModeDetails: { streamMode: provisioned ? "PROVISIONED" : "ON_DEMAND" },
      shardCount: provisioned ? props.shards : undefined,
      retentionPeriod: props.retentionHours ?? 24,
      encryptionType: "KMS",
      kmsKeyId: props.kmsKeyArn ?? "alias/aws/kinesis",
      shardLevelMetrics: props.shardLevelMetrics?.length ? [...props.shardLevelMetrics] : undefined,
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
  }

  get name(): string {
    return this.stream.name;
  }

  get arn(): string {
    return this.stream.arn;
  }

  /** What a producer needs: put records, and encrypt with the customer key when there is one. */
  writeStatements(): PolicyStatement[] {
    return [
      {
        Sid: "PutRecords",
        Effect: "Allow",
        Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
        Resource: this.arn,
      },
      ...this.keyStatement("kms:GenerateDataKey"),
    ];
  }

  /** What a polling consumer needs: list shards and read, and decrypt with the customer key when there is one. */
  readStatements(): PolicyStatement[] {
    return [
      {
        Sid: "ReadRecords",
        Effect: "Allow",
        Action: STREAM_READ_ACTIONS,
        Resource: this.arn,
      },
      ...this.keyStatement("kms:Decrypt"),
    ];
  }

  private keyStatement(action: string): PolicyStatement[] {
    const key = this.props.kmsKeyArn;
    return key ? [{ Sid: "StreamKey", Effect: "Allow", Action: action, Resource: key }] : [];
  }
}
