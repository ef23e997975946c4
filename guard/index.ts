/**
 * guard: reads `terraform show -json` plan output and decides whether it may be applied without a
 * reviewer explicitly accepting what it destroys.
 */
export {
  analyzePlan,
  normalizeAllows,
  parseAllowList,
  type AnalyzeOptions,
  type ChangeCounts,
  type DestructiveChange,
  type Finding,
  type GuardReport,
  type Verdict,
} from "./analyze";
export { classifyActions, type ChangeKind, type ReplaceOrder } from "./actions";
export { decodePlanBytes, PlanFormatError, parsePlanText, SUPPORTED_FORMAT_MAJOR } from "./plan-format";
export { MARKDOWN_MARKER, renderMarkdown } from "./render-markdown";
export { renderConsole } from "./render-console";
export {
  STATEFUL_RESOURCE_TYPES,
  STATELESS_RESOURCE_TYPES,
  isStatefulType,
  isStatelessType,
} from "./stateful";
