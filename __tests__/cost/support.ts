import type { CostLine, Estimate } from "../../cost/estimate";

/** The one line of an estimate for this resource whose component matches. */
export function line(e: Estimate, address: string, component: RegExp): CostLine {
  const found = e.lines.filter((l) => l.address === address && component.test(l.component));
  if (found.length !== 1) throw new Error(`expected one ${address} ${component} line, found ${found.length}`);
  return found[0];
}
