/** plan: runs Terraform for one synthesized environment and guards the saved plan. */
export { missingBinaryMessage, resolveTerraformBinary, TERRAFORM_BINARY_ENV } from "./binary";
export { diagnoseFailure, type FailureContext } from "./diagnose";
export { humanOutput, processOutput, type Output } from "./output";
export {
  DEFAULT_LOCK_TIMEOUT,
  PLAN_EXIT,
  PLAN_FILE_NAME,
  PLAN_JSON_FILE_NAME,
  PlanFailure,
  planExitCode,
  renderPlanFailureMarkdown,
  runPlan,
  type PlanExitCode,
  type PlanOptions,
  type PlanResult,
} from "./run-plan";
