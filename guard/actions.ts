/**
 * Every action list `terraform show -json` documents, mapped to what it means for data. Anything
 * else is refused rather than guessed at: a future Terraform adding a new kind of deletion must not
 * slip through as "no change".
 */

export type ChangeKind = "no-op" | "create" | "read" | "update" | "replace" | "delete" | "forget";

/** How a replacement treats the old object. */
export type ReplaceOrder = "delete-first" | "create-first" | "forget-old";

export interface ClassifiedAction {
  readonly kind: ChangeKind;
  readonly replaceOrder?: ReplaceOrder;
}

const KNOWN_ACTIONS: ReadonlyMap<string, ClassifiedAction> = new Map([
  ["no-op", { kind: "no-op" }],
  ["create", { kind: "create" }],
  ["read", { kind: "read" }],
  ["update", { kind: "update" }],
  ["delete", { kind: "delete" }],
  ["forget", { kind: "forget" }],
  ["delete,create", { kind: "replace", replaceOrder: "delete-first" }],
  ["create,delete", { kind: "replace", replaceOrder: "create-first" }],
  // Terraform 1.7+: a replacement whose old object is dropped from state instead of destroyed.
  ["create,forget", { kind: "replace", replaceOrder: "forget-old" }],
]);

/** Returns undefined for an action list this guard does not know. */
export function classifyActions(actions: readonly string[]): ClassifiedAction | undefined {
  return KNOWN_ACTIONS.get(actions.join(","));
}

const REPLACE_LABELS: Record<ReplaceOrder, string> = {
  "delete-first": "replace (destroy, then create)",
  "create-first": "replace (create, then destroy)",
  "forget-old": "replace (create, old one forgotten)",
};

export function describeAction(action: ClassifiedAction): string {
  return action.replaceOrder ? REPLACE_LABELS[action.replaceOrder] : action.kind;
}
