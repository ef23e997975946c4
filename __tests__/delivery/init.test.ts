/** `lakestack init <env>`: a new environment's file, its place in the deploy order, and its validation. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environmentNames, loadEnvironments } from "../../loader/load";
import { CONFIG_DIR } from "../helpers";
import { lakestack, STACK_TRACE } from "../lakestack";
import { ROOT } from "./support";

/** Names no environment of config/ has, so the tests hold whatever environments a project adds. */
const [fresh, other, third] = ["init-a", "init-b", "init-c"].map((base) => {
  const taken = environmentNames(CONFIG_DIR);
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = `${base}${i}`;
  return name;
});

describe("lakestack init", () => {
  let cwd: string;
  const order = () => readFileSync(join(cwd, ".github", "deploy-order.txt"), "utf8");

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "lakestack-init-"));
    cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
    mkdirSync(join(cwd, ".github"));
    cpSync(join(ROOT, ".github", "deploy-order.txt"), join(cwd, ".github", "deploy-order.txt"));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it("writes a valid production environment from its flags and adds it to the end of the deploy order", async () => {
    const before = order();
    const { code, stdout, stderr } = await lakestack(
      cwd,
      ...["init", fresh, "--mode", "production", "--account-id", "500000000404", "--region", "eu-west-1"],
      ...["--service-principal", "3c5e8a21-7d4b-4f0e-9a61-2b8c0d7e5f14"],
    );
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(code).toBe(0);
    expect(stdout).toBe(`created config/${fresh}.yaml\nvalid: ${fresh}\n`);
    const text = readFileSync(join(cwd, "config", `${fresh}.yaml`), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./lakestack.schema.json");
    expect(text).toContain('account_id: "500000000404"');
    const [created] = loadEnvironments(join(cwd, "config"), [fresh]);
    expect(created.config).toMatchObject({
      mode: "production",
      aws: { account_id: "500000000404", region: "eu-west-1" },
      databricks: { run_as: { service_principal: "3c5e8a21-7d4b-4f0e-9a61-2b8c0d7e5f14" } },
    });
    expect(order()).toBe(`${before}${before.endsWith("\n") ? "" : "\n"}${fresh}\n`);
    expect(stderr).toContain(`added ${fresh} to the end of .github/deploy-order.txt`);
  });

  it("leaves what it was not told to fill in, and says where, with exit code 1", async () => {
    const { code, stderr } = await lakestack(cwd, "init", other);
    expect(code).toBe(1);
    const text = readFileSync(join(cwd, "config", `${other}.yaml`), "utf8");
    const line = (needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
    expect(text).not.toContain("databricks:");
    expect(stderr).toContain(`config/${other}.yaml needs values: fill in what these say`);
    expect(stderr).toContain(`config/${other}.yaml:${line("account_id:")}:15: aws.account_id:`);
    expect(stderr).toContain(
      `config/${other}.yaml:${line("region:")}:11: aws.region: is empty: name an AWS region such as eu-west-1`,
    );
    expect(order().trimEnd().split("\n").at(-1)).toBe(other);
  });

  it("never overwrites a file, and refuses a name lakestack could not use, changing nothing", async () => {
    const dev = readFileSync(join(cwd, "config", "dev.yaml"), "utf8");
    const before = order();
    const existing = await lakestack(cwd, "init", "dev", "--account-id", "500000000999");
    expect(existing.code).toBe(1);
    expect(existing.stderr).toContain("lakestack init: config/dev.yaml exists; init never overwrites");
    expect(readFileSync(join(cwd, "config", "dev.yaml"), "utf8")).toBe(dev);
    writeFileSync(join(cwd, "config", `${third}.yml`), dev);
    expect((await lakestack(cwd, "init", third)).stderr).toContain(`config/${third}.yml exists`);
    for (const name of ["base", "QA", "a-name-longer-than-sixteen"]) {
      const refused = await lakestack(cwd, "init", name);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`'${name}' cannot name an environment`);
    }
    expect(order()).toBe(before);
  });
});
