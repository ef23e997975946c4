/** lakestack's policy: rules over synthesized stacks, waivers, and checks of config changes. */
export { compareAgainst, compareEnvironments, withBaseline } from "./against";
export { applyPolicy, documentDiagnostics, policyDiagnostics, PolicyPack } from "./aspect";
export { POLICY_MARKERS, policyCatalogue } from "./catalogue";
export { problems, type FindingSeverity, type PolicyDiagnostic, type PolicyFinding } from "./engine";
export { ALL_RULES, CHANGE_RULES, POLICY_RULES } from "./registry";
