/**
 * Construct ids are a public contract: they become Terraform addresses, and a changed address makes
 * Terraform destroy the resource and create a new one. The reference environments' addresses are
 * recorded in addresses.json; after an intended change, record them again with
 *
 *   UPDATE_ADDRESSES=1 npx jest __tests__/policy/addresses.test.ts
 *
 * and commit addresses.json with the change. The record names the environments it covers: a new
 * environment file is not part of it (and fails nothing) until an entry `"qa": []` is added and recorded.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environmentNames } from "../../loader/load";
import * as against from "../../policy/against";
import { ResourceIndex, type TerraformDocument } from "../../policy/resources";
import { CONFIG_DIR, referenceEnvironment } from "../helpers";
import { synthesizedDocument } from "./fixtures";

const FILE = join(__dirname, "addresses.json");
const RECORD = "UPDATE_ADDRESSES=1 npx jest __tests__/policy/addresses.test.ts";
const FILE_EXISTS = existsSync(FILE);
const configured = environmentNames(CONFIG_DIR);
/** The environments the record covers (all of config/ when there is no record yet). */
const names = FILE_EXISTS
  ? Object.keys(JSON.parse(readFileSync(FILE, "utf8")) as Record<string, string[]>).sort()
  : configured;

/**
 * Every resource address, sorted; not the page's content-hashed files (served `immutable`), which a new
 * build names anew and which hold nothing a deploy does not write again.
 */
function addressesOf(document: TerraformDocument): string[] {
  return ResourceIndex.fromTerraform(document)
    .all.filter((r) => !(r.type === "aws_s3_object" && String(r.config.cache_control).includes("immutable")))
    .map((r) => r.address)
    .sort();
}

const current = new Map<string, string[]>();
let recorded: Record<string, string[]>;

beforeAll(() => {
  for (const name of names.filter((n) => configured.includes(n))) {
    current.set(name, addressesOf(synthesizedDocument(referenceEnvironment(name))));
  }
  if (process.env.UPDATE_ADDRESSES === "1") {
    writeFileSync(FILE, `${JSON.stringify(Object.fromEntries(current), null, 2)}\n`);
  }
  recorded = JSON.parse(readFileSync(FILE, "utf8")) as Record<string, string[]>;
});

describe("Terraform addresses of the reference environments", () => {
  it("cover environments that exist", () => {
    const gone = names.filter((n) => !configured.includes(n));
    if (gone.length === 0) return;
    throw new Error(
      `addresses.json records ${gone.join(", ")}, which config/ no longer has: if that is intended, record again: ${RECORD}`,
    );
  });

  it.each(names)("%s: no recorded address changes or disappears", (name) => {
    const gone = recorded[name].filter((a) => !(current.get(name) ?? []).includes(a));
    if (gone.length === 0) return;
    throw new Error(
      [
        `${name}: these Terraform addresses are gone:`,
        ...gone.map((a) => `  ${a}`),
        "Terraform would destroy each of them, with its data, and create whatever replaced it.",
        "If a construct id changed by accident, change it back.",
        "If the rename is intended, tell Terraform it is a move: on the renamed resource call",
        `  resource.moveFromId("${gone[0]}")`,
        "and keep that call until every environment has applied it. Then record the new addresses:",
        `  ${RECORD}`,
      ].join("\n"),
    );
  });

  it.each(names)("%s: every address is recorded", (name) => {
    const added = (current.get(name) ?? []).filter((a) => !recorded[name].includes(a));
    if (added.length === 0) return;
    throw new Error(
      [
        `${name}: new Terraform addresses, not yet part of the contract:`,
        ...added.map((a) => `  ${a}`),
        `Record them, and commit __tests__/policy/addresses.json with the change: ${RECORD}`,
      ].join("\n"),
    );
  });

  it("are kept sorted in the record, so diffs show only what changed", () => {
    for (const name of names) expect(recorded[name]).toEqual([...recorded[name]].sort());
  });

  it("include every address validate --against reasons about", () => {
    const prod = recorded.prod;
    expect(prod).toEqual(
      expect.arrayContaining([
        against.STREAM_ADDRESS,
        against.LAKE_BUCKET_ADDRESS,
        against.LAKE_LIFECYCLE_ADDRESS,
        against.SITE_BUCKET_ADDRESS,
        against.CATALOG_ADDRESS,
        against.SCHEMA_ADDRESS,
        against.SHARE_ADDRESS,
        ...Object.keys(referenceEnvironment("prod").config.sharing.recipients).map(against.recipientAddress),
      ]),
    );
  });
});
