/**
 * Turns the failures people hit most (no credentials, a held state lock, an old Terraform) into
 * what to do next. Matches Terraform's and the providers' own error texts.
 */

export interface FailureContext {
  readonly env: string;
  readonly binary: string;
  readonly stackDir: string;
}

interface KnownFailure {
  readonly patterns: readonly RegExp[];
  readonly hint: (output: string, context: FailureContext) => string;
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /\u001b\[[0-9;]*[A-Za-z]/g;
/** Terraform frames each diagnostic with these and wraps its text at 78 columns, even in CI logs. */
const DIAGNOSTIC_FRAME = /[│╷╵]/g;

function flatten(output: string): string {
  return output.replace(ANSI_ESCAPES, "").replace(DIAGNOSTIC_FRAME, " ").replace(/\s+/g, " ");
}

/** Lock IDs are UUIDs; anything else is not echoed. `output` is flattened to single spaces. */
function lockId(output: string): string | undefined {
  return /Lock Info: ID: ([0-9A-Za-z-]{1,64})(?: |$)/.exec(output)?.[1];
}

const KNOWN_FAILURES: readonly KnownFailure[] = [
  {
    patterns: [
      /no valid credential sources/i,
      /failed to refresh cached credentials/i,
      /NoCredentialProviders/,
      /failed to get shared config profile/i,
      /security token included in the request is (expired|invalid)/i,
      /ExpiredToken/,
    ],
    hint: () =>
      "AWS credentials are missing or expired. Locally: `aws sso login --profile <name>` and " +
      "`export AWS_PROFILE=<name>`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN " +
      "for temporary keys). In CI: assume the environment's plan role through GitHub OIDC " +
      "(aws-actions/configure-aws-credentials, with `permissions: id-token: write`).",
  },
  {
    patterns: [/cannot configure default credentials/i, /invalid access token/i],
    hint: (_output, context) =>
      `Databricks credentials are missing. DATABRICKS_HOST comes from config/${context.env}.yaml; set ` +
      "DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (a service principal's OAuth secret) or DATABRICKS_TOKEN.",
  },
  {
    patterns: [/Error acquiring the state lock/i, /Error locking state/i],
    hint: (output, context) =>
      "Another run holds this environment's state lock (see Lock Info above). Wait for it to finish or raise " +
      "--lock-timeout. Only when you are sure no other plan or apply is running: " +
      `\`${context.binary} force-unlock ${lockId(output) ?? "<lock id>"}\` in ${context.stackDir}.`,
  },
  {
    patterns: [/"use_lockfile" is not expected here/i],
    hint: (_output, context) =>
      `${context.binary} is too old for the S3 backend's native locking (use_lockfile): ` +
      "install Terraform >= 1.10 or OpenTofu >= 1.10.",
  },
];

/** Hints for every known failure found in the tool's output; empty when none is recognised. */
export function diagnoseFailure(output: string, context: FailureContext): string[] {
  const flat = flatten(output);
  return KNOWN_FAILURES.filter((failure) => failure.patterns.some((pattern) => pattern.test(flat))).map(
    (failure) => failure.hint(flat, context),
  );
}
