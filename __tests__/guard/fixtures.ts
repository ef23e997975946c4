import { readFileSync } from "node:fs";
import { join } from "node:path";

export const PLAN_FIXTURES = join(__dirname, "..", "fixtures", "plans");

export function fixturePath(name: string): string {
  return join(PLAN_FIXTURES, name);
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** A fresh copy each call, so a test can edit it. */
export function loadFixture(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}

type Json = Record<string, unknown>;

/** The first resource change of a fixture, for tests that tweak one attribute. */
export function firstChange(plan: Json): Json {
  return ((plan.resource_changes as Json[])[0] as Json).change as Json;
}
