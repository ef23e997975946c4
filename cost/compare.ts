/**
 * What a change does to the bill: an environment's estimate against its estimate before the change,
 * component by component. A change is after − before: positive costs more.
 */
import type { CostLine, Estimate, Totals } from "./estimate";

export interface ComponentChange {
  readonly address: string;
  readonly component: string;
  readonly provider: CostLine["provider"];
  /** USD a month before and after; null when that side has no such line or its cost is unknown. */
  readonly before: number | null;
  readonly after: number | null;
  /** after − before, or null when either side is unknown (a line that appears or goes counts as 0). */
  readonly change: number | null;
  readonly status: "added" | "removed" | "changed" | "unknown";
}

export interface EnvironmentChange {
  readonly env: string;
  /** The environment did not exist before: everything is added. */
  readonly isNew: boolean;
  readonly before: Totals | null;
  readonly after: Totals;
  /** after − before of the known totals. */
  readonly change: { readonly aws: number; readonly databricks: number; readonly total: number };
  /** Components whose cost moved (or may have: unknown on one side), largest move first. */
  readonly components: readonly ComponentChange[];
}

/** A component is the same charge whatever its details: "serverless SQL (Small, …)" is "serverless SQL". */
const keyOf = (l: CostLine) => `${l.address}\u0000${l.component.replace(/ \(.*\)$/, "")}`;

/** Compares an environment's estimate with its estimate before the change (none: a new environment). */
export function compareEstimates(before: Estimate | undefined, after: Estimate): EnvironmentChange {
  const old = new Map((before?.lines ?? []).map((l) => [keyOf(l), l]));
  const now = new Map(after.lines.map((l) => [keyOf(l), l]));
  const components: ComponentChange[] = [];
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const [b, a] = [old.get(key), now.get(key)];
    const line = (a ?? b)!;
    const unknown = (b !== undefined && b.monthly === null) || (a !== undefined && a.monthly === null);
    const [bv, av] = [b?.monthly ?? null, a?.monthly ?? null];
    if (unknown) {
      // Unknown on both sides with nothing else moving is no news.
      if (b && a && b.quantity === a.quantity && b.unitPrice === a.unitPrice) continue;
      components.push({ ...identity(line), before: bv, after: av, change: null, status: "unknown" });
      continue;
    }
    const change = (av ?? 0) - (bv ?? 0);
    if (Math.abs(change) < 0.005 && a && b) continue;
    components.push({
      ...identity(line),
      before: bv,
      after: av,
      change,
      status: !b ? "added" : !a ? "removed" : "changed",
    });
  }
  components.sort((x, y) => Math.abs(y.change ?? -1) - Math.abs(x.change ?? -1));
  const b = before?.totals;
  return {
    env: after.env,
    isNew: before === undefined,
    before: b ?? null,
    after: after.totals,
    change: {
      aws: after.totals.aws - (b?.aws ?? 0),
      databricks: after.totals.databricks - (b?.databricks ?? 0),
      total: after.totals.total - (b?.total ?? 0),
    },
    components,
  };
}

function identity(line: CostLine) {
  return { address: line.address, component: line.component, provider: line.provider };
}
