/**
 * IAM policy documents as synthesized: JSON strings (with `${…}` references inside string values).
 * Statements are normalized so rules never branch on "string or list".
 */

export interface Statement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** `"*"` stays `{ AWS: ["*"] }`, as IAM treats both alike. */
  readonly principals: Readonly<Record<string, readonly string[]>>;
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** The statements of a policy document, or undefined when it is not JSON a rule can read. */
export function statements(document: unknown): Statement[] | undefined {
  if (typeof document !== "string") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const raw = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  if (!raw.every(isObject)) return undefined;
  return raw.map((s) => ({
    sid: typeof s.Sid === "string" ? s.Sid : undefined,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    notResources: list(s.NotResource),
    principals: principals(s.Principal),
    conditions: conditions(s.Condition),
  }));
}

/** Every value of one principal kind (`AWS`, `Service`, `Federated`). */
export function principalsOf(statement: Statement, kind: string): readonly string[] {
  return statement.principals[kind] ?? [];
}

/** Whether the statement applies to anyone: `"*"` or `{ AWS: "*" }`. */
export function isAnyone(statement: Statement): boolean {
  return principalsOf(statement, "AWS").includes("*");
}

/** Every condition key the statement tests, whatever the operator. */
export function conditionKeys(statement: Statement): string[] {
  return Object.values(statement.conditions).flatMap((byKey) => Object.keys(byKey));
}

function principals(value: unknown): Record<string, readonly string[]> {
  if (value === "*") return { AWS: ["*"] };
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([kind, v]) => [kind, list(v)]));
}

function conditions(value: unknown): Record<string, Record<string, readonly string[]>> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([operator, byKey]) => [
      operator,
      isObject(byKey) ? Object.fromEntries(Object.entries(byKey).map(([k, v]) => [k, list(v)])) : {},
    ]),
  );
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
