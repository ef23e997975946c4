import { parseQuartz, quartzProblem, runsPerMonth } from "../../loader/quartz";

const runs = (expression: string) => {
  const parsed = parseQuartz(expression);
  if ("problem" in parsed) throw new Error(`${expression}: ${parsed.problem.message}`);
  return runsPerMonth(parsed.schedule);
};

describe("Quartz cron expressions", () => {
  it.each([
    ["0 0/15 * * * ?", (365 * 24 * 4) / 12], // every 15 minutes
    ["0 0 * * * ?", (365 * 24) / 12], // hourly
    ["0 30 6 ? * MON-FRI", 261 / 12], // 2027 has 261 weekdays
    ["0 0 12 L * ?", 1], // last day of each month
    ["0 0 12 15W * ?", 1],
    ["0 0 12 ? * 6#3", 1], // third Friday
    ["0 0 12 ? * 2L", 1], // last Monday
    ["0 0 0 1 JAN,JUL ?", 2 / 12],
    ["0,30 0 9-17/4 ? * SAT,SUN 2027", (2 * 3 * 104) / 12], // 9, 13, 17 h; 104 weekend days
  ])("counts %s", (expression, expected) => {
    expect(runs(expression)).toBeCloseTo(expected, 6);
  });

  it.each([
    ["0 75 * * * ?", "minutes", 2, "75 is out of range for minutes: 0-59"],
    ["0 0 12 * * *", "day-of-week", 11, "both choose days; Quartz needs '?' in one of them"],
    ["0 0 12 ? * ?", "day-of-month", 7, "both '?'"],
    ["0 0 24 * * ?", "hours", 4, "out of range for hours: 0-23"],
    ["0 0 12 32 * ?", "day-of-month", 7, "out of range for day-of-month: 1-31"],
    ["0 0 12 ? 13 MON", "month", 9, "out of range for month: 1-12"],
    ["0 0 12 ? FOO MON", "month", 9, "'FOO' is not a month value (1-12 or JAN-DEC)"],
    ["0 0 12 ? * MOM", "day-of-week", 11, "'MOM' is not a day-of-week value (1-7 or SUN-SAT)"],
    ["0 0/0 * * * ?", "minutes", 2, "at least 1"],
    ["0 30-10 * * * ?", "minutes", 2, "runs backwards"],
    ["? 0 * * * ?", "seconds", 0, "'?' only fits day-of-month or day-of-week"],
    ["0 0 * * ?", "expression", 0, "has 5 field(s); Quartz takes 6 or 7"],
    ["0 0 12 ? * 2#6", "day-of-week", 11, "the week after '#' is 1-5"],
    ["0 0 12 1,,2 * ?", "day-of-month", 9, "empty item"],
  ])("refuses %s at its %s", (expression, field, offset, message) => {
    expect(quartzProblem(expression)).toEqual({ field, offset, message: expect.stringContaining(message) });
  });
});
