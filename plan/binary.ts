/** Which Terraform-compatible binary to run, and what to say when it is not there. */

/** The variable cdktf itself reads to pick the binary, so `plan` and `cdktf deploy` agree. */
export const TERRAFORM_BINARY_ENV = "TERRAFORM_BINARY_NAME";

/** `--tf-bin`, else `TERRAFORM_BINARY_NAME`, else `terraform`. */
export function resolveTerraformBinary(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[TERRAFORM_BINARY_ENV]?.trim();
  return flag?.trim() || fromEnv || "terraform";
}

export function missingBinaryMessage(binary: string): string {
  return (
    `${binary} was not found. Install Terraform >= 1.10 (the S3 backend's native state locking needs it): ` +
    "https://developer.hashicorp.com/terraform/install, or OpenTofu (https://opentofu.org/docs/intro/install/) " +
    `and pass --tf-bin tofu or set ${TERRAFORM_BINARY_ENV}=tofu.`
  );
}

export function notExecutableMessage(binary: string): string {
  return `${binary} is not executable: check its permissions, or point --tf-bin at the Terraform binary.`;
}
