import type { Rule } from "../rule";

export const streamEncrypted: Rule = {
  id: "LS-KIN-1",
  severity: "error",
  title: "Every Kinesis stream is encrypted at rest with KMS.",
  why: "Records carry device data; unencrypted shards keep it in plain text for the whole retention period.",
  fix: 'Set encryption_type = "KMS" and kms_key_id (alias/aws/kinesis or a customer key).',
  check: ({ resources }) =>
    resources
      .ofType("aws_kinesis_stream")
      .filter((s) => s.config.encryption_type !== "KMS" || typeof s.config.kms_key_id !== "string")
      .map((s) => ({ resource: s.address, message: "is not encrypted with a KMS key" })),
};

export const KINESIS_RULES: readonly Rule[] = [streamEncrypted];
