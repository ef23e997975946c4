import { InstanceProfile } from "@cdktf/provider-databricks/lib/instance-profile";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

export interface ComputeInstanceProfileProps {
  /** The AWS instance profile (a reference, so it exists before Databricks validates it). */
  readonly instanceProfileArn: string;
  /** What must be in place first: Databricks validates the profile at once (IAM propagation). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Makes an AWS instance profile available to classic (non-serverless) clusters in the workspace. Serverless
 * compute cannot use instance profiles; the workspace's cross-account role must be allowed to iam:PassRole it.
 */
export class ComputeInstanceProfile extends Construct {
  constructor(scope: Construct, id: string, props: ComputeInstanceProfileProps) {
    super(scope, id);
    new InstanceProfile(this, "instance_profile", {
      instanceProfileArn: props.instanceProfileArn,
      dependsOn: props.dependsOn && [...props.dependsOn],
    });
  }
}
