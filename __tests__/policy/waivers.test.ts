import type { Environment } from "../../loader/load";
import { evaluate, problems, toDiagnostics } from "../../policy/engine";
import type { ResourceIndex } from "../../policy/resources";
import { edited, environmentText, loadFrom, PROPOSED_WAIVERS, proposedBase } from "./fixtures";

const POOL = "aws_cognito_identity_pool.browser_identity_pool";
const WAREHOUSE = "databricks_sql_endpoint.sql_warehouse_warehouse";

/** A stack of two resources: the browser pool with guests (LS-COG-1) and a warehouse that never stops (LS-DBX-1). */
const resources: ResourceIndex = edited({}, (r) => {
  r.aws_cognito_identity_pool = {
    browser_identity_pool: {
      identity_pool_name: "seismo-prod-browser",
      allow_unauthenticated_identities: true,
    },
  };
  r.databricks_sql_endpoint = {
    sql_warehouse_warehouse: { name: "seismo-prod-warehouse", auto_stop_mins: 0 },
  };
});

/**
 * prod with only its own waivers (base.yaml's switched off) and an explicit warehouse setting; returns its
 * text too, to find positions in.
 */
function prodWith(waivers: Record<string, object>): { environment: Environment; text: string } {
  const off = Object.fromEntries(Object.keys(PROPOSED_WAIVERS).map((name) => [name, { enabled: false }]));
  const text = environmentText("prod", {
    warehouse: { auto_stop_minutes: 15 },
    waivers: { ...off, ...waivers },
  });
  return { environment: loadFrom("prod", { "base.yaml": proposedBase(), "prod.yaml": text }), text };
}

/** 1-based line and column of `part` (default: all) of the first line holding `needle`. */
function positionOf(text: string, needle: string, part = needle): { line: number; col: number } {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`'${needle}' not in the file`);
  return { line: line + 1, col: lines[line].indexOf(needle) + needle.indexOf(part) + 1 };
}

const guestWaiver = { rule: "LS-COG-1", resource: POOL, reason: "Phones write without signing in." };

describe("waivers", () => {
  it("acknowledge a matching finding as info, reported at the waiver's name with its reason", () => {
    const { environment, text } = prodWith({ guests: guestWaiver });
    const diagnostics = toDiagnostics(environment, evaluate({ resources, environment }));
    const info = diagnostics.filter((d) => d.severity === "info");
    expect(info).toEqual([
      {
        file: environment.file,
        ...positionOf(text, "  guests:", "guests:"),
        path: "waivers.guests",
        severity: "info",
        rule: "LS-COG-1",
        message: `${POOL}: acknowledged: lets anonymous visitors assume its guest role (waiver: Phones write without signing in.)`,
      },
    ]);
  });

  it("acknowledge only the rule and resource they name", () => {
    const { environment } = prodWith({ guests: { ...guestWaiver, resource: WAREHOUSE } });
    const findings = evaluate({ resources, environment });
    expect(findings.find((f) => f.rule === "LS-COG-1")?.severity).toBe("warning");
  });

  it("that match nothing are errors at the waiver's name, with the closest address as a hint", () => {
    const typo = {
      rule: "LS-DBX-1",
      resource: `${WAREHOUSE}s`,
      reason: "Warehouse is only ever queried by hand.",
    };
    const { environment, text } = prodWith({ guests: guestWaiver, typo });
    const unmatched = problems(toDiagnostics(environment, evaluate({ resources, environment }))).filter(
      (d) => d.rule === "LS-WAIVE-1",
    );
    expect(unmatched).toEqual([
      {
        file: environment.file,
        ...positionOf(text, "  typo:", "typo:"),
        severity: "error",
        rule: "LS-WAIVE-1",
        path: "waivers.typo",
        message: expect.stringContaining(
          `waiver for LS-DBX-1 matches no finding in environment 'prod'; did you mean '${WAREHOUSE}'?`,
        ),
      },
    ]);
  });

  it("that name no rule are errors at the rule id, with the closest id as a hint", () => {
    const { environment, text } = prodWith({ guests: { ...guestWaiver, rule: "LS-COG-11" } });
    const diagnostics = problems(toDiagnostics(environment, evaluate({ resources, environment })));
    expect(diagnostics.find((d) => d.rule === "LS-WAIVE-1")).toMatchObject({
      ...positionOf(text, "LS-COG-11"),
      path: "waivers.guests.rule",
      message: expect.stringContaining("waiver names no rule 'LS-COG-11'; did you mean 'LS-COG-1'?"),
    });
  });

  it("for config changes are left to validate --against, which alone can tell whether they match", () => {
    const { environment } = prodWith({
      guests: guestWaiver,
      moving: {
        rule: "LS-CHG-1",
        resource: "aws_kinesis_stream.events_stream",
        reason: "Moving to the new stream.",
      },
    });
    expect(evaluate({ resources, environment }).filter((f) => f.rule === "LS-WAIVE-1")).toEqual([]);
  });
});

describe("finding positions", () => {
  it("are the YAML field that causes the finding", () => {
    const { environment, text } = prodWith({ guests: guestWaiver });
    const [warehouse] = toDiagnostics(environment, evaluate({ resources, environment }));
    expect(warehouse).toEqual({
      file: environment.file,
      ...positionOf(text, "auto_stop_minutes: 15", "15"),
      path: "warehouse.auto_stop_minutes",
      severity: "error",
      rule: "LS-DBX-1",
      message: expect.stringMatching(
        new RegExp(
          `^${WAREHOUSE}: never stops when idle \\(auto_stop_mins is 0\\); fix: Set warehouse.auto_stop_minutes`,
        ),
      ),
    });
  });

  it("are the environment file's first line, with the address, when the cause is not in config", () => {
    const { environment } = prodWith({ guests: guestWaiver });
    const stream = edited({}, (r) => {
      r.aws_kinesis_stream = { events_stream: { name: "s", encryption_type: "NONE" } };
    });
    const diagnostics = toDiagnostics(environment, evaluate({ resources: stream, environment }));
    expect(diagnostics.find((d) => d.rule === "LS-KIN-1")).toMatchObject({
      file: environment.file,
      line: 1,
      col: 1,
      path: "",
      rule: "LS-KIN-1",
      message: expect.stringMatching(
        /^aws_kinesis_stream\.events_stream: is not encrypted with a KMS key; fix: /,
      ),
    });
  });

  it("in base.yaml say which environment they are about", () => {
    const environment = loadFrom("prod", {
      "base.yaml": proposedBase({ explicitSchedules: false }),
      "prod.yaml": environmentText("prod"),
    });
    const job = edited({}, (r) => {
      r.databricks_job = {
        job_device_max_job: {
          name: "seismo-prod-device_max",
          run_as: { service_principal_name: "sp" },
          schedule: { pause_status: "UNPAUSED" },
        },
      };
    });
    const diagnostics = toDiagnostics(environment, evaluate({ resources: job, environment }));
    const base = proposedBase({ explicitSchedules: false });
    expect(diagnostics.find((d) => d.rule === "LS-DBX-4")).toMatchObject({
      file: expect.stringMatching(/base\.yaml$/),
      line: positionOf(base, 'cron: "0 0/15').line,
      path: "jobs.device_max.schedule",
      severity: "warning",
      rule: "LS-DBX-4",
      message: expect.stringMatching(/^\[prod\] databricks_job\.job_device_max_job: runs on its schedule/),
    });
  });

  it("come errors first, then warnings, then acknowledged findings; problems() drops the acknowledged", () => {
    const { environment } = prodWith({
      warehouse: { ...guestWaiver, rule: "LS-DBX-1", resource: WAREHOUSE },
    });
    const diagnostics = toDiagnostics(environment, evaluate({ resources, environment }));
    // The two-resource prod stack has no alarms either: LS-OPS-1's error comes first.
    expect(diagnostics.map((d) => [d.severity, d.rule])).toEqual([
      ["error", "LS-OPS-1"],
      ["warning", "LS-COG-1"],
      ["info", "LS-DBX-1"],
    ]);
    expect(problems(diagnostics).map((d) => d.rule)).toEqual(["LS-OPS-1", "LS-COG-1"]);
  });
});
