import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";

/** Every alarm's name after the environment's prefix: CI's deploy role may manage exactly these. */
export const ALARM_NAMES = [
  "stream-iterator-age",
  "stream-write-throttled",
  "stream-incoming-records",
  "ingest-errors",
  "ingest-throttles",
  "ingest-5xx",
] as const;
type AlarmName = (typeof ALARM_NAMES)[number];

/** Five minutes: the period of every alarm but the traffic one. */
const FIVE_MINUTES = 300;

export interface StreamAlarmProps {
  readonly streamName: string;
  /** Alarm when reads lag this far behind the stream, in seconds. */
  readonly iteratorAgeSeconds: number;
  /**
   * A consumer reads all the time (a continuous pipeline): no read metrics at all then means it stopped,
   * which alarms too. @default false
   */
  readonly continuousConsumer?: boolean;
  /** Alarm when at least this many writes are throttled in five minutes. */
  readonly throttledRecords: number;
  /** Alarm when the stream receives more than this many records per second for five minutes. @default - none */
  readonly incomingRecordsPerSecond?: number;
}

export interface IngestAlarmProps {
  readonly functionName: string;
  readonly apiId: string;
  /** Alarm when the function fails (errors, throttles) at least this often in five minutes. */
  readonly errors: number;
  /** Alarm when more than this percentage of requests fail with 5xx over five minutes. */
  readonly http5xxPercent: number;
}

export interface AlarmsProps {
  /** The SNS topic every alarm notifies. */
  readonly topicName: string;
  /** Prefix of every alarm's name, e.g. `seismo-prod-`. */
  readonly namePrefix: string;
  /** On-call addresses: e-mail subscriptions of the topic (each confirms once, from the e-mail AWS sends). */
  readonly emails: readonly string[];
  readonly stream: StreamAlarmProps;
  /** @default - no ingest alarms (no HTTP ingest) */
  readonly ingest?: IngestAlarmProps;
}

/**
 * CloudWatch alarms on what breaks a streaming system quietly, to an SNS topic the on-call people
 * subscribe to by e-mail: the pipeline falling behind the stream (GetRecords.IteratorAgeMilliseconds),
 * writes the stream throttles, more traffic than the capacity plan, the ingest function's errors and
 * throttles, and the HTTP API's 5xx rate.
 *
 * The topic is not KMS-encrypted: CloudWatch can publish to an encrypted topic only under a
 * customer-managed key whose policy admits cloudwatch.amazonaws.com, never under the AWS-managed
 * alias/aws/sns (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
 * and alarm notices carry alarm names and numbers, not data.
 */
export class Alarms extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "topic", { name: props.topicName });
    for (const email of [...new Set(props.emails)].sort()) {
      // Keyed by the address, not its position: reordering the list changes nothing.
      new SnsTopicSubscription(this, `email_${slug(email)}`, {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: email,
      });
    }
    const alarm = (name: AlarmName, config: Omit<CloudwatchMetricAlarmConfig, "alarmName">) =>
      new CloudwatchMetricAlarm(this, name.replace(/-/g, "_"), {
        alarmName: `${props.namePrefix}${name}`,
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
        ...config,
      });

    const { stream, ingest } = props;
    const streamMetric = (metricName: string) => ({
      namespace: "AWS/Kinesis",
      metricName,
      dimensions: { StreamName: stream.streamName },
    });
    const alarms = [
      alarm("stream-iterator-age", {
        alarmDescription: `The pipeline reads the stream more than ${stream.iteratorAgeSeconds} s behind: it is falling behind or stopped.`,
        ...streamMetric("GetRecords.IteratorAgeMilliseconds"),
        statistic: "Maximum",
        period: FIVE_MINUTES,
        evaluationPeriods: 3,
        threshold: stream.iteratorAgeSeconds * 1000,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: stream.continuousConsumer ? "breaching" : "notBreaching",
      }),
      alarm("stream-write-throttled", {
        alarmDescription: `Kinesis throttled at least ${stream.throttledRecords} write(s) in five minutes: producers are being refused.`,
        ...streamMetric("WriteProvisionedThroughputExceeded"),
        statistic: "Sum",
        period: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: stream.throttledRecords,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
      }),
      ...(stream.incomingRecordsPerSecond === undefined
        ? []
        : [
            alarm("stream-incoming-records", {
              alarmDescription: `The stream receives more than ${stream.incomingRecordsPerSecond} records/s, the capacity plan's peak, for five minutes.`,
              ...streamMetric("IncomingRecords"),
              statistic: "Sum",
              period: 60,
              evaluationPeriods: 5,
              threshold: Math.ceil(stream.incomingRecordsPerSecond * 60),
              comparisonOperator: "GreaterThanThreshold",
              treatMissingData: "notBreaching",
            }),
          ]),
      ...(ingest ? ingestAlarms(alarm, ingest) : []),
    ];
    this.alarms = alarms;
  }
}

type AlarmFactory = (
  name: AlarmName,
  config: Omit<CloudwatchMetricAlarmConfig, "alarmName">,
) => CloudwatchMetricAlarm;

function ingestAlarms(alarm: AlarmFactory, ingest: IngestAlarmProps): CloudwatchMetricAlarm[] {
  const lambdaMetric = (metricName: string) => ({
    namespace: "AWS/Lambda",
    metricName,
    dimensions: { FunctionName: ingest.functionName },
    statistic: "Sum",
    period: FIVE_MINUTES,
    evaluationPeriods: 1,
    threshold: ingest.errors,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
  });
  const apiMetric = (id: string, metricName: string) => ({
    id,
    returnData: false,
    metric: {
      namespace: "AWS/ApiGateway",
      metricName,
      dimensions: { ApiId: ingest.apiId },
      period: FIVE_MINUTES,
      stat: "Sum",
    },
  });
  return [
    alarm("ingest-errors", {
      alarmDescription: `The ingest function failed at least ${ingest.errors} time(s) in five minutes (crashes and timeouts).`,
      ...lambdaMetric("Errors"),
    }),
    alarm("ingest-throttles", {
      alarmDescription: `Lambda throttled the ingest function at least ${ingest.errors} time(s) in five minutes.`,
      ...lambdaMetric("Throttles"),
    }),
    alarm("ingest-5xx", {
      alarmDescription: `More than ${ingest.http5xxPercent}% of HTTP ingest requests failed with 5xx over five minutes.`,
      metricQuery: [
        apiMetric("errors", "5xx"),
        apiMetric("requests", "Count"),
        {
          id: "percent",
          label: "5xx share of requests (%)",
          expression: "IF(requests > 0, 100 * errors / requests, 0)",
          returnData: true,
        },
      ],
      evaluationPeriods: 1,
      threshold: ingest.http5xxPercent,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    }),
  ];
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "_");
}
