/**
 * Quartz cron expressions as Databricks jobs read them: parsed and checked field by field, so a schedule
 * that Databricks would refuse at apply is refused at validate, and counted, so cost estimates know how
 * often a job runs.
 *
 *   seconds minutes hours day-of-month month day-of-week [year]
 *
 * Each field is a comma list of `*`, a value, a range `a-b`, or a step `x/n` (x being `*`, a value or a
 * range). Day-of-month also takes `L`, `L-n`, `nW` and `LW`; day-of-week takes `nL` and `n#k`; exactly one
 * of the two is `?`. Months are 1-12 or JAN-DEC, days of the week 1-7 or SUN-SAT (1 is Sunday).
 */

export interface CronProblem {
  /** The field at fault, e.g. `minutes`; `expression` for the whole. */
  readonly field: string;
  readonly message: string;
  /** Where the fault starts in the expression (0-based), for pointing at it. */
  readonly offset: number;
}

/** How a day field chooses days: a set of plain values, or one of the calendar-relative forms. */
type DayRule =
  | { readonly kind: "any" }
  | { readonly kind: "values"; readonly values: ReadonlySet<number> }
  | { readonly kind: "last"; readonly offset: number } // L, L-n (day of month)
  | { readonly kind: "weekday-nearest"; readonly day: number | "last" } // nW, LW
  | { readonly kind: "last-weekday-of-month"; readonly weekday: number } // nL (day of week)
  | { readonly kind: "nth-weekday"; readonly weekday: number; readonly nth: number }; // n#k

export interface QuartzSchedule {
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly dayOfMonth: DayRule;
  readonly months: ReadonlySet<number>;
  readonly dayOfWeek: DayRule;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly example: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly FieldSpec[] = [
  { name: "seconds", min: 0, max: 59, example: "0" },
  { name: "minutes", min: 0, max: 59, example: "0/15" },
  { name: "hours", min: 0, max: 23, example: "*" },
  { name: "day-of-month", min: 1, max: 31, example: "?" },
  { name: "month", min: 1, max: 12, names: MONTHS, example: "*" },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, example: "MON-FRI" },
  { name: "year", min: 1970, max: 2199, example: "2027" },
];

class Problem extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses a Quartz cron expression, or says what is wrong with it and where. */
export function parseQuartz(expression: string): { schedule: QuartzSchedule } | { problem: CronProblem } {
  try {
    return { schedule: parse(expression) };
  } catch (error) {
    if (error instanceof Problem) {
      return { problem: { field: error.field, message: error.message, offset: error.offset } };
    }
    throw error;
  }
}

/** The first problem with an expression in plain words, or undefined when Databricks would accept it. */
export function quartzProblem(expression: string): CronProblem | undefined {
  const parsed = parseQuartz(expression);
  return "problem" in parsed ? parsed.problem : undefined;
}

function parse(expression: string): QuartzSchedule {
  const parts: { text: string; offset: number }[] = [];
  for (const match of expression.matchAll(/\S+/g)) parts.push({ text: match[0], offset: match.index });
  if (parts.length < 6 || parts.length > 7) {
    throw new Problem(
      "expression",
      `has ${parts.length} field(s); Quartz takes 6 or 7: seconds minutes hours day-of-month month day-of-week [year], e.g. "0 0/15 * * * ?"`,
      0,
    );
  }
  const [seconds, minutes, hours, dom, month, dow, year] = parts;
  const dayOfMonth = dayOfMonthRule(dom.text, dom.offset);
  const dayOfWeek = dayOfWeekRule(dow.text, dow.offset);
  const domAsked = dom.text === "?";
  const dowAsked = dow.text === "?";
  if (domAsked === dowAsked) {
    throw new Problem(
      domAsked ? "day-of-month" : "day-of-week",
      domAsked
        ? "day-of-month and day-of-week are both '?': one of them must choose the days"
        : `day-of-month ('${dom.text}') and day-of-week ('${dow.text}') both choose days; Quartz needs '?' in one of them, e.g. "0 0 12 ? * MON-FRI" or "0 0 12 1 * ?"`,
      domAsked ? dom.offset : dow.offset,
    );
  }
  if (year) values(year.text, FIELDS[6], year.offset);
  return {
    seconds: values(seconds.text, FIELDS[0], seconds.offset),
    minutes: values(minutes.text, FIELDS[1], minutes.offset),
    hours: values(hours.text, FIELDS[2], hours.offset),
    dayOfMonth,
    months: values(month.text, FIELDS[4], month.offset),
    dayOfWeek,
  };
}

function dayOfMonthRule(text: string, offset: number): DayRule {
  const spec = FIELDS[3];
  if (text === "?") return { kind: "any" };
  if (text === "L") return { kind: "last", offset: 0 };
  if (text === "LW") return { kind: "weekday-nearest", day: "last" };
  const last = /^L-(\d+)$/.exec(text);
  if (last) {
    const back = Number(last[1]);
    if (back > 30) throw new Problem(spec.name, `'${text}' counts back ${back} days; at most L-30`, offset);
    return { kind: "last", offset: back };
  }
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) return { kind: "weekday-nearest", day: number(weekday[1], spec, offset) };
  return { kind: "values", values: values(text, spec, offset) };
}

function dayOfWeekRule(text: string, offset: number): DayRule {
  const spec = FIELDS[5];
  if (text === "?") return { kind: "any" };
  const last = /^([A-Za-z]+|\d+)L$/.exec(text);
  if (last) return { kind: "last-weekday-of-month", weekday: number(last[1], spec, offset) };
  const nth = /^([A-Za-z]+|\d+)#(\d+)$/.exec(text);
  if (nth) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw new Problem(spec.name, `'${text}': the week after '#' is 1-5`, offset);
    return { kind: "nth-weekday", weekday: number(nth[1], spec, offset), nth: k };
  }
  return { kind: "values", values: values(text === "L" ? "7" : text, spec, offset) };
}

/** A field's comma list expanded to the values it selects. */
function values(text: string, spec: FieldSpec, offset: number): Set<number> {
  const selected = new Set<number>();
  let at = offset;
  for (const item of text.split(",")) {
    if (item === "") throw new Problem(spec.name, `'${text}' has an empty item in its list`, at);
    const [range, step, extra] = item.split("/");
    if (extra !== undefined) throw new Problem(spec.name, `'${item}' has two '/'`, at);
    let from = spec.min;
    let to = spec.max;
    if (range === "?") {
      throw new Problem(spec.name, `'?' only fits day-of-month or day-of-week, not ${spec.name}`, at);
    } else if (range !== "*") {
      const bounds = range.split("-");
      if (bounds.length > 2 || bounds.some((b) => b === "")) {
        throw new Problem(spec.name, `'${item}' is not a value, a range a-b or a step x/n`, at);
      }
      from = number(bounds[0], spec, at);
      to = bounds.length === 2 ? number(bounds[1], spec, at) : step === undefined ? from : spec.max;
      if (to < from) throw new Problem(spec.name, `range '${range}' runs backwards`, at);
    }
    let every = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1) {
        throw new Problem(
          spec.name,
          `'${item}': the step after '/' must be a whole number of at least 1`,
          at,
        );
      }
      every = Number(step);
      if (every > spec.max - spec.min + 1) {
        throw new Problem(
          spec.name,
          `'${item}': a step of ${every} is longer than the field's ${spec.min}-${spec.max}`,
          at,
        );
      }
    }
    for (let v = from; v <= to; v += every) selected.add(v);
    at += item.length + 1;
  }
  return selected;
}

function number(token: string, spec: FieldSpec, offset: number): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(token)) {
    const allowed = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : "";
    throw new Problem(
      spec.name,
      `'${token}' is not a ${spec.name} value (${spec.min}-${spec.max}${allowed})`,
      offset,
    );
  }
  const value = Number(token);
  if (value < spec.min || value > spec.max) {
    throw new Problem(
      spec.name,
      `${value} is out of range for ${spec.name}: ${spec.min}-${spec.max}`,
      offset,
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Counting runs

/** The calendar year runs are counted over: not a leap year, so a month is a twelfth of 365 days. */
const REFERENCE_YEAR = 2027;

/**
 * How often the schedule fires in an average month: its runs over a whole reference year, divided by
 * twelve. Walking a real calendar gets `L`, `W`, `#` and month-specific schedules right. The year field,
 * if any, is not counted against: the estimate is for a year the schedule runs in.
 */
export function runsPerMonth(schedule: QuartzSchedule): number {
  const perDay = schedule.seconds.size * schedule.minutes.size * schedule.hours.size;
  let days = 0;
  for (let month = 1; month <= 12; month++) {
    if (!schedule.months.has(month)) continue;
    const length = new Date(Date.UTC(REFERENCE_YEAR, month, 0)).getUTCDate();
    for (let day = 1; day <= length; day++) {
      if (firesOn(schedule, month, day, length)) days++;
    }
  }
  return (days * perDay) / 12;
}

function firesOn(schedule: QuartzSchedule, month: number, day: number, length: number): boolean {
  const weekday = new Date(Date.UTC(REFERENCE_YEAR, month - 1, day)).getUTCDay() + 1; // 1 = Sunday
  const d = { month, day, length, weekday };
  return dayMatches(schedule.dayOfMonth, day, d) && dayMatches(schedule.dayOfWeek, weekday, d);
}

/** Whether a day field selects a day; `value` is what a plain list holds: the day, or the weekday. */
function dayMatches(
  rule: DayRule,
  value: number,
  d: { month: number; day: number; length: number; weekday: number },
): boolean {
  switch (rule.kind) {
    case "any":
      return true;
    case "values":
      return rule.values.has(value);
    case "last":
      return d.day === d.length - rule.offset;
    case "weekday-nearest":
      return d.day === nearestWeekday(rule.day === "last" ? d.length : Math.min(rule.day, d.length), d);
    case "last-weekday-of-month":
      return d.weekday === rule.weekday && d.day + 7 > d.length;
    case "nth-weekday":
      return d.weekday === rule.weekday && Math.ceil(d.day / 7) === rule.nth;
  }
}

/** The weekday (Monday-Friday) nearest a day, within the same month, as Quartz's `W` chooses it. */
function nearestWeekday(target: number, d: { month: number; length: number }): number {
  const weekday = new Date(Date.UTC(REFERENCE_YEAR, d.month - 1, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1; // Saturday: Friday, or Monday the 3rd
  if (weekday === 0) return target === d.length ? target - 2 : target + 1; // Sunday: Monday, or Friday
  return target;
}
