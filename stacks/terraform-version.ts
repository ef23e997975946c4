import type { TerraformStack } from "cdktf";

/**
 * Terraform (or OpenTofu) 1.10 or newer: the S3 backend's native state locking (`use_lockfile`) needs it.
 * Declared in every stack, an older binary stops at `init` with Terraform's own message naming the version.
 */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.10.0";

/** Sets `terraform.required_version`; cdktf 0.21's typed stack config has no field for it. */
export function requireTerraformVersion(stack: TerraformStack): void {
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
}
