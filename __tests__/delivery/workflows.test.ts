import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environmentNames } from "../../loader/load";
import { analyzePlan, renderMarkdown } from "../../guard";
import { buildProgram } from "../../main";
import { PLAN_EXIT } from "../../plan";
import { loadFixture } from "../guard/fixtures";
import {
  ciScript,
  ciScriptText,
  CONFIG_DIR,
  referenceEnvironment,
  ROOT,
  runStep,
  scratchDir,
  scratchRepo,
  stepById,
  stepOutputs,
  workflow,
  WORKFLOW_FILES,
  workflowText,
  type Job,
} from "./support";

const allJobs = () =>
  WORKFLOW_FILES.flatMap((file) =>
    Object.entries(workflow(file).jobs).map(([id, job]) => ({ file, id, job })),
  );
const allSteps = () =>
  allJobs().flatMap(({ file, id, job }) => job.steps.map((step) => ({ file, id, step })));
const assumesAwsRole = (job: Job) =>
  job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
const environmentName = (job: Job) =>
  typeof job.environment === "string" ? job.environment : job.environment?.name;

describe("every workflow", () => {
  it.each(WORKFLOW_FILES)("%s reads the repository and nothing more at the top level", (file) => {
    expect(workflow(file).permissions).toEqual({ contents: "read" });
  });

  it.each(WORKFLOW_FILES)("%s never runs on pull_request_target", (file) => {
    expect(Object.keys(workflow(file).on)).not.toContain("pull_request_target");
    expect(workflowText(file)).not.toMatch(/^\s*pull_request_target\s*:/m);
  });

  it("pins every action to a full commit SHA with its version beside it", () => {
    const uses = WORKFLOW_FILES.flatMap((file) =>
      workflowText(file)
        .split("\n")
        .filter((line) => /^\s*(- )?uses:/.test(line))
        .map((line) => line.trim()),
    );
    expect(uses.length).toBeGreaterThan(10);
    for (const line of uses) {
      expect(line).toMatch(/^(- )?uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    // One action, one pin, everywhere.
    const pins = new Map<string, Set<string>>();
    for (const line of uses) {
      const [, action, sha] = /uses: ([^@]+)@(\w+)/.exec(line)!;
      pins.set(action, (pins.get(action) ?? new Set()).add(sha));
    }
    for (const [action, shas] of pins) expect(`${action}: ${shas.size}`).toBe(`${action}: 1`);
  });

  it("grants id-token: write only to jobs that assume an AWS role, each in a GitHub environment", () => {
    for (const { file, id, job } of allJobs()) {
      const where = `${file} ${id}`;
      if (assumesAwsRole(job)) {
        expect(`${where}: ${job.permissions?.["id-token"]}`).toBe(`${where}: write`);
        expect(environmentName(job)).toBeTruthy();
      } else {
        expect(`${where}: ${job.permissions?.["id-token"] ?? "none"}`).toBe(`${where}: none`);
      }
    }
  });

  it("widens permissions only where a job writes: the PR comment and the drift issues", () => {
    const writers = allJobs()
      .flatMap(({ file, id, job }) =>
        Object.entries(job.permissions ?? {})
          .filter(([scope, level]) => level === "write" && scope !== "id-token")
          .map(([scope]) => `${file} ${id} ${scope}`),
      )
      .sort();
    expect(writers).toEqual(["drift.yml report issues", "plan.yml comment pull-requests"]);
  });

  it("keeps credentials out of checkouts and the Terraform wrapper out of exit codes", () => {
    for (const { file, id, step } of allSteps()) {
      if (step.uses?.startsWith("actions/checkout@")) {
        expect(`${file} ${id}: ${step.with?.["persist-credentials"]}`).toBe(`${file} ${id}: false`);
      }
      if (step.uses?.startsWith("hashicorp/setup-terraform@"))
        expect(step.with?.terraform_wrapper).toBe(false);
    }
  });

  it("keeps expressions out of shell scripts: values reach them through env", () => {
    for (const { file, id, step } of allSteps()) {
      if (step.run) expect(`${file} ${id}: ${step.run.includes("${{")}`).toBe(`${file} ${id}: false`);
    }
  });

  it("keeps Databricks secrets to the steps that call Databricks (Terraform, verify)", () => {
    for (const { file, id, job } of allJobs()) {
      expect(`${file} ${id}: ${JSON.stringify(job.env ?? {}).includes("secrets.")}`).toBe(
        `${file} ${id}: false`,
      );
    }
    const holders = allSteps().filter(({ step }) => JSON.stringify(step.env ?? {}).includes("secrets."));
    for (const { step } of holders) expect(step.run).toMatch(/lakestack (plan|deploy|verify) /);
  });

  it("invokes only lakestack commands the CLI has", () => {
    const commands = buildProgram()
      .commands.map((c) => c.name())
      .sort();
    const scripts = [...allSteps().map(({ step }) => step.run ?? ""), ciScriptText()];
    const invoked = new Set(
      scripts.flatMap((script) =>
        [...script.matchAll(/(?:node bin\/lakestack|npm run lakestack --) ([a-z-]+)/g)].map((m) => m[1]),
      ),
    );
    expect([...invoked].sort()).toEqual([
      "cost",
      "deploy",
      "envs",
      "guard",
      "plan",
      "synth",
      "validate",
      "verify",
    ]);
    for (const command of invoked) expect(commands).toContain(command);
  });

  it("are documented: docs/delivery.md names every variable, secret and label they read", () => {
    const section = readFileSync(join(ROOT, "docs", "delivery.md"), "utf8");
    const names = new Set(
      WORKFLOW_FILES.flatMap((file) =>
        [...workflowText(file).matchAll(/\b(?:vars|secrets)\.([A-Za-z_]+)/g)].map((m) => m[1]),
      ),
    );
    expect([...names].sort()).toEqual(["AWS_ROLE_ARN", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"]);
    for (const name of [...names, workflow("plan.yml").env!.ALLOW_DESTROY_LABEL]) {
      expect(section).toContain(`\`${name}\``);
    }
  });

  it("are documented: docs/delivery.md gives lakestack plan's exit codes and what adding an environment takes", () => {
    const section = readFileSync(join(ROOT, "docs", "delivery.md"), "utf8");
    for (const code of Object.values(PLAN_EXIT))
      expect(section).toMatch(new RegExp(`^\\| ${code} +\\|`, "m"));
    expect(section).toContain("### Adding an environment");
    expect(section).toContain("`.github/deploy-order.txt`");
    expect(section).toContain("`.github/scripts/lakestack-ci.sh`");
  });

  it("run the steps they share from .github/scripts/lakestack-ci.sh, never an inline copy", () => {
    const calls = allSteps().flatMap(({ file, id, step }) =>
      [...(step.run ?? "").matchAll(/bash \.github\/scripts\/lakestack-ci\.sh ([a-z-]+)/g)].map(
        (m) => `${file} ${id} ${step.id}: ${m[1]}`,
      ),
    );
    expect(calls.sort()).toEqual([
      "deploy.yml deploy allow: allowed",
      "deploy.yml deploy region: region",
      "deploy.yml environments order: deploy-order",
      "drift.yml environments environments: environments",
      "drift.yml plan region: region",
      "plan.yml changes environments: environments",
      "plan.yml plan allow: allowed",
      "plan.yml plan region: region",
    ]);
    // What the script does appears nowhere else.
    for (const { file, id, step } of allSteps()) {
      const inline = /config\/\*\.yaml|allow-destroy\.txt|lakestack envs|deploy-order\.txt/.test(
        step.run ?? "",
      );
      expect(`${file} ${id}: ${inline}`).toBe(`${file} ${id}: false`);
    }
  });

  it("name the label the guard's comment tells reviewers to add", () => {
    const label = workflow("plan.yml").env!.ALLOW_DESTROY_LABEL;
    expect(workflow("deploy.yml").env!.ALLOW_DESTROY_LABEL).toBe(label);
    const blocked = analyzePlan(loadFixture("delete.json"), { allow: [], env: "dev" });
    expect(renderMarkdown([blocked])).toContain(`\`${label}\` label`);
    expect(renderMarkdown([blocked])).toContain("`allow-destroy.txt`");
  });
});

describe("jobs that can ask for an OIDC token", () => {
  it("install packages without running their install scripts", () => {
    const withToken = allJobs().filter(({ job }) => job.permissions?.["id-token"] === "write");
    expect(withToken.length).toBeGreaterThanOrEqual(3);
    for (const { file, id, job } of withToken) {
      const installs = job.steps.map((s) => s.run).filter((run) => run?.includes("npm "));
      expect(`${file} ${id}: ${JSON.stringify(installs)}`).toBe(
        `${file} ${id}: ${JSON.stringify(["npm ci --ignore-scripts"])}`,
      );
    }
  });
});

describe("plan.yml", () => {
  const plan = workflow("plan.yml");

  it("runs on pull requests, label changes included, one run per pull request at a time", () => {
    expect(plan.on).toEqual({
      pull_request: { types: ["opened", "synchronize", "reopened", "labeled", "unlabeled"] },
    });
    expect(plan.concurrency).toEqual({
      group: "plan-${{ github.event.pull_request.number }}",
      "cancel-in-progress": false,
    });
  });

  it("checks the code: install, validate every environment, test, synthesize", () => {
    const runs = plan.jobs.checks.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual([
      "npm ci",
      "node bin/lakestack validate --all",
      "npm test",
      "node bin/lakestack synth",
    ]);
  });

  it("plans the environments the changes job picks, each in its plan-<env> GitHub environment", () => {
    const job = plan.jobs.plan;
    expect(job.needs).toEqual(["checks", "changes"]);
    expect(job.strategy?.matrix.environment).toBe("${{ fromJSON(needs.changes.outputs.environments) }}");
    expect(job.environment).toBe("plan-${{ matrix.environment }}");
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    const planStep = job.steps.find((s) => s.run?.includes("lakestack plan"))!;
    expect(planStep.run).toContain('--markdown "plan-$LAKESTACK_ENV.md" --detailed-exitcode');
    expect(planStep.env?.LAKESTACK_GUARD_ALLOW).toBe("${{ steps.allow.outputs.addresses }}");
  });

  it("uploads only the guard's Markdown and JSON, never the plan JSON, for a few days at most", () => {
    const uploads = plan.jobs.plan.steps.filter((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(uploads.map((s) => String(s.with?.path).trim().split("\n"))).toEqual([
      ["plan-${{ matrix.environment }}.md", "guard-${{ matrix.environment }}.json"],
    ]);
    for (const upload of uploads) {
      expect(upload.with?.["retention-days"]).toBeGreaterThanOrEqual(1);
      expect(upload.with?.["retention-days"]).toBeLessThanOrEqual(5);
    }
    // `terraform show -json` holds sensitive values in clear text, the prior state's included.
    expect(workflowText("plan.yml")).not.toMatch(/path:[^\n]*plan\.json/);
    expect(workflowText("plan.yml")).not.toMatch(/^\s+cdktf\.out\/stacks\/[^\n]*plan\.json\s*$/m);
  });

  it("keeps the plan text out of the log and never takes the state lock", () => {
    const planStep = plan.jobs.plan.steps.find((s) => s.run?.includes("lakestack plan"))!;
    expect(planStep.run).toContain("--no-lock");
    expect(planStep.run).toContain('--terraform-log "$RUNNER_TEMP/terraform-$LAKESTACK_ENV.log"');
    // Nothing prints or uploads that file.
    const others = plan.jobs.plan.steps.filter((s) => s !== planStep);
    expect(JSON.stringify(others)).not.toContain("terraform-$LAKESTACK_ENV.log");
    expect(JSON.stringify(plan.jobs.plan.steps)).not.toMatch(/terraform (plan|show)|\| *tee\b/);
  });

  it("writes the guard's verdict as JSON for the artifact", () => {
    const verdict = plan.jobs.plan.steps.find((s) => s.run?.includes("lakestack guard"))!;
    expect(verdict.run).toContain("--json");
    expect(verdict.run).toContain('> "guard-$LAKESTACK_ENV.json"');
    expect(verdict.if).toBe("${{ !cancelled() }}");
  });

  it("estimates the cost of every planned environment offline, against the base branch", () => {
    const job = plan.jobs.cost;
    expect(job.needs).toEqual(["checks", "changes"]);
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(job.permissions).toBeUndefined();
    expect(assumesAwsRole(job)).toBe(false);
    expect(JSON.stringify(job)).not.toContain("secrets.");
    // The merge commit and its first parent: HEAD^1 is the base branch.
    expect(job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.["fetch-depth"]).toBe(2);
    expect(stepById(job, "estimate").run).toContain(
      'node bin/lakestack cost --env "$env" --against HEAD^1 --markdown > "$out"',
    );
    expect(plan.jobs.comment.needs).toContain("cost");
  });

  it("writes each environment's estimate, its warnings, or why it failed, for the comment", () => {
    const dir = scratchDir("cost-step");
    try {
      // A stand-in for node: the real one lists the environments; `lakestack cost` succeeds with a
      // warning for dev and fails for prod.
      writeFileSync(
        join(dir, "node"),
        [
          "#!/bin/sh",
          `if [ "$1" = "-e" ]; then exec "${process.execPath}" "$@"; fi`,
          'case "$*" in',
          '  *"--env prod"*) echo "config/prod.yaml:3:1: cost.aws.discount: must be at most 1" >&2; exit 1 ;;',
          "esac",
          `echo '**💰 Estimated monthly cost: $1.00** (AWS $1.00 · Databricks $0.00), a new environment.'`,
          'echo "warning: cost/prices.yaml: prices from x were read 2001-01-01" >&2',
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
      const result = runStep(stepById(plan.jobs.cost, "estimate").run!, {
        cwd: dir,
        env: { PATH: `${dir}:/usr/bin:/bin`, PLANNED_ENVIRONMENTS: '["dev","prod"]' },
      });
      expect(result.code).toBe(0);
      const read = (env: string) => readFileSync(join(dir, "cost-summaries", `cost-${env}.md`), "utf8");
      expect(read("dev")).toBe(
        "**💰 Estimated monthly cost: $1.00** (AWS $1.00 · Databricks $0.00), a new environment.\n\n" +
          "> ⚠️ warning: cost/prices.yaml: prices from x were read 2001-01-01\n",
      );
      expect(read("prod")).toBe(
        "❌ The cost estimate failed:\n\n```\nconfig/prod.yaml:3:1: cost.aws.discount: must be at most 1\n```\n",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("treats exit code 2 of lakestack plan (changes present) as success and passes 1 and 3 on", () => {
    const script = plan.jobs.plan.steps.find((s) => s.run?.includes("lakestack plan"))!.run!;
    const dir = scratchDir("plan-exit");
    try {
      for (const [exit, expected] of [
        [0, 0],
        [2, 0],
        [1, 1],
        [3, 3],
      ]) {
        // A stand-in for node that exits as lakestack plan would.
        writeFileSync(join(dir, "node"), `#!/bin/sh\nexit ${exit}\n`, { mode: 0o755 });
        const result = runStep(script, {
          cwd: dir,
          env: { PATH: `${dir}:/usr/bin:/bin`, LAKESTACK_ENV: "dev" },
        });
        expect(`exit ${exit} → ${result.code}`).toBe(`exit ${exit} → ${expected}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the environments step (plan.yml changes, drift.yml)", () => {
  const planStep = stepById(workflow("plan.yml").jobs.changes, "environments").run!;
  const driftStep = stepById(workflow("drift.yml").jobs.environments, "environments").run!;
  const all = environmentNames(CONFIG_DIR);
  let dir: string;
  beforeAll(() => {
    dir = scratchDir("changes");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The environments the step picks in the real repository: drift's without a list of changes. */
  function picked(changed: string[] | undefined): string[] {
    const output = join(dir, "output");
    writeFileSync(output, "");
    if (changed) writeFileSync(join(dir, "changed-files.txt"), changed.map((f) => `${f}\n`).join(""));
    const result = runStep(changed ? planStep : driftStep, {
      cwd: ROOT,
      env: { GITHUB_OUTPUT: output, RUNNER_TEMP: dir },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return JSON.parse(stepOutputs(output).environments);
  }

  it("finds the environments in config/ at run time, base.yaml excluded", () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(picked(undefined)).toEqual([...all].sort());
  });

  it("plans only the environment whose file changed", () => {
    expect(picked([`config/${all[0]}.yaml`])).toEqual([all[0]]);
    expect(picked([`config/${all[1]}.yaml`, `config/${all[0]}.yaml`, "README.md"])).toEqual(
      [all[0], all[1]].sort(),
    );
  });

  it("plans every environment when base.yaml, code or a removed environment changes", () => {
    for (const changed of [
      ["config/base.yaml"],
      ["main.ts"],
      ["modules/aws/event-stream.ts"],
      ["config/no-such-env.yaml"],
    ]) {
      expect(picked([`config/${all[0]}.yaml`, ...changed])).toEqual([...all].sort());
    }
  });

  it("plans nothing for Markdown alone", () => {
    expect(picked(["README.md", "docs/delivery.md"])).toEqual([]);
  });

  it("refuses an environment file name lakestack would refuse", () => {
    const repo = scratchRepo(dir, { "base.yaml": "", "$(touch pwned).yaml": "" });
    const result = ciScript(["environments"], { cwd: repo, env: { GITHUB_OUTPUT: join(dir, "output") } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("::error file=config/$(touch pwned).yaml::");
    expect(existsSync(join(repo, "pwned"))).toBe(false);
  });
});

describe("the region step", () => {
  it("reads each environment's region from lakestack envs --json", () => {
    const script = stepById(workflow("plan.yml").jobs.plan, "region").run!;
    const dir = scratchDir("region");
    try {
      const output = join(dir, "output");
      writeFileSync(output, "");
      const result = runStep(script, { cwd: ROOT, env: { GITHUB_OUTPUT: output, LAKESTACK_ENV: "prod" } });
      expect(result.code).toBe(0);
      expect(stepOutputs(output)).toEqual({ region: referenceEnvironment("prod").config.aws.region });
      const missing = runStep(script, {
        cwd: ROOT,
        env: { GITHUB_OUTPUT: output, LAKESTACK_ENV: "no-such-env" },
      });
      expect(missing.code).toBe(1);
      expect(missing.stdout).toContain("::error::lakestack envs lists no region for no-such-env");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the allow-destroy step", () => {
  const script = stepById(workflow("plan.yml").jobs.plan, "allow").run!;
  let dir: string;
  beforeAll(() => {
    dir = scratchDir("allow");
    writeFileSync(
      join(dir, "allow-destroy.txt"),
      [
        "# Replacing prod's stream on purpose: reviewed in #123.",
        "prod aws_kinesis_stream.events_stream   # new shard layout",
        "prod aws_s3_bucket.lake_bucket\r",
        "dev aws_s3_bucket.browser_site_bucket",
        "staging",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What the shared script allows for `env`, reading allow-destroy.txt in `cwd`. */
  function addresses(env: string, label: string, cwd = dir): string {
    const output = join(dir, "output");
    writeFileSync(output, "");
    const result = ciScript(["allowed", env], {
      cwd,
      env: { GITHUB_OUTPUT: output, ALLOW_DESTROY: label },
    });
    expect(result.code).toBe(0);
    return stepOutputs(output).addresses;
  }

  it("runs the shared script", () => {
    expect(script).toBe('bash .github/scripts/lakestack-ci.sh allowed "$LAKESTACK_ENV"');
  });

  it("accepts nothing unless the label is on, whatever the file lists", () => {
    expect(addresses("prod", "false")).toBe("");
    expect(addresses("prod", "")).toBe("");
  });

  it("with the label, accepts the addresses listed for this environment only", () => {
    expect(addresses("prod", "true")).toBe("aws_kinesis_stream.events_stream aws_s3_bucket.lake_bucket");
    expect(addresses("dev", "true")).toBe("aws_s3_bucket.browser_site_bucket");
    expect(addresses("staging", "true")).toBe("");
  });

  it("accepts nothing without the file", () => {
    const empty = scratchDir("allow-empty");
    try {
      expect(addresses("prod", "true", empty)).toBe("");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("deploy.yml", () => {
  const deploy = workflow("deploy.yml");
  const job = deploy.jobs.deploy;

  it("runs on pushes to main and by hand, and deploys nothing but main", () => {
    expect(deploy.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    expect(deploy.jobs.context.if).toBe("github.ref == 'refs/heads/main'");
    expect(deploy.jobs.environments.if).toBe("github.ref == 'refs/heads/main'");
    expect(job.needs).toEqual(["context", "environments"]);
    expect(Object.keys(deploy.jobs).filter((id) => assumesAwsRole(deploy.jobs[id]))).toEqual(["deploy"]);
  });

  it("deploys every environment in config/, one at a time, in the order of .github/deploy-order.txt", () => {
    const dir = scratchDir("order");
    try {
      const output = join(dir, "output");
      writeFileSync(output, "");
      const result = runStep(stepById(deploy.jobs.environments, "order").run!, {
        cwd: ROOT,
        env: { GITHUB_OUTPUT: output },
      });
      expect(result.code).toBe(0);
      const order = JSON.parse(stepOutputs(output).environments) as string[];
      // The file's names in its order, comments and blank lines aside.
      const listed = readFileSync(join(ROOT, ".github", "deploy-order.txt"), "utf8")
        .split("\n")
        .map((line) => line.replace(/#.*/, "").trim())
        .filter(Boolean);
      expect(order).toEqual(listed);
      expect([...order].sort()).toEqual(environmentNames(CONFIG_DIR));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(deploy.jobs.environments.outputs?.environments).toBe("${{ steps.order.outputs.environments }}");
    // GitHub creates matrix jobs in the list's order; one at a time, and a failure cancels the rest.
    expect(job.strategy).toEqual({
      "max-parallel": 1,
      "fail-fast": true,
      matrix: { environment: "${{ fromJSON(needs.environments.outputs.environments) }}" },
    });
  });

  it("deploys each environment in its own GitHub environment, one run at a time", () => {
    expect(environmentName(job)).toBe("${{ matrix.environment }}");
    expect(job.env?.LAKESTACK_ENV).toBe("${{ matrix.environment }}");
    expect(job.concurrency).toEqual({
      group: "deploy-${{ matrix.environment }}",
      "cancel-in-progress": false,
    });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("deploys each environment with lakestack deploy, then proves it with lakestack verify", () => {
    const steps = job.steps;
    const index = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ""));
    const deployStep = index(/lakestack deploy /);
    const verifyStep = index(/lakestack verify /);
    const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect([credentials, deployStep, verifyStep].every((i) => i >= 0)).toBe(true);
    expect(credentials < deployStep && deployStep < verifyStep).toBe(true);
    // One path for local and CI deploys: no Terraform command of its own, no unguarded apply.
    expect(steps[deployStep].run).toBe(
      'node bin/lakestack deploy --env "$LAKESTACK_ENV" --auto-approve --markdown "deploy-$LAKESTACK_ENV.md"',
    );
    expect(steps[verifyStep].run).toBe('node bin/lakestack verify --env "$LAKESTACK_ENV"');
    expect(steps.some((s) => /terraform .*apply|cdktf deploy/.test(s.run ?? ""))).toBe(false);
    expect(steps[deployStep].env?.LAKESTACK_GUARD_ALLOW).toBe("${{ steps.allow.outputs.addresses }}");
    expect(steps[verifyStep].if).toBeUndefined();
    // verify reads the warehouse with the deploy principal's credentials.
    expect(Object.keys(steps[verifyStep].env ?? {}).sort()).toEqual([
      "DATABRICKS_CLIENT_ID",
      "DATABRICKS_CLIENT_SECRET",
    ]);
  });

  it("stops the environment, and the ones after it, on any failure of deploy or verify", () => {
    const scripts = job.steps
      .filter((s) => /lakestack (deploy|verify) /.test(s.run ?? ""))
      .map((s) => s.run!);
    expect(scripts).toHaveLength(2);
    const dir = scratchDir("deploy-exit");
    try {
      for (const script of scripts) {
        for (const exit of [0, 1, 3, 4]) {
          // A stand-in for node that exits as lakestack would.
          writeFileSync(join(dir, "node"), `#!/bin/sh\nexit ${exit}\n`, { mode: 0o755 });
          const run = runStep(script, {
            cwd: dir,
            env: { PATH: `${dir}:/usr/bin:/bin`, LAKESTACK_ENV: "prod" },
          });
          expect(`${script.split(" ")[2]} exit ${exit} → ${run.code}`).toBe(
            `${script.split(" ")[2]} exit ${exit} → ${exit}`,
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the deploy-order step", () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchDir("deploy-order");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = { "base.yaml": "", "dev.yaml": "", "qa.yaml": "", "prod.yaml": "" };

  function order(deployOrder: string | undefined) {
    const repo = scratchRepo(dir, config, deployOrder);
    const output = join(dir, "output");
    writeFileSync(output, "");
    const result = ciScript(["deploy-order"], { cwd: repo, env: { GITHUB_OUTPUT: output } });
    return { ...result, environments: stepOutputs(output).environments };
  }

  it("keeps the file's order, comments and blank lines aside", () => {
    const result = order("# first the sandboxes\ndev\nqa   # shared test data\n\r\nprod\n");
    expect(result.code).toBe(0);
    expect(result.environments).toBe('["dev","qa","prod"]');
  });

  it("stops, naming the file, when an environment is missing, unknown or listed twice", () => {
    const missing = order("dev\nprod\n");
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      "::error file=.github/deploy-order.txt::config/qa.yaml is not listed: add qa where it should deploy",
    );
    const unknown = order("dev\nqa\nstaging\nprod\n");
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("staging has no config/staging.yaml");
    const twice = order("dev\nqa\nprod\ndev\n");
    expect(twice.code).toBe(1);
    expect(twice.stdout).toContain("dev is listed more than once");
    for (const result of [missing, unknown, twice]) expect(result.environments).toBeUndefined();
  });

  it("stops when the file is missing", () => {
    const result = order(undefined);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(".github/deploy-order.txt is missing");
  });
});

describe("drift.yml", () => {
  const drift = workflow("drift.yml");

  it("runs on a schedule and by hand", () => {
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect((drift.on.schedule as { cron: string }[])[0].cron).toMatch(/^(\S+ ){4}\S+$/);
  });

  it("plans each environment with its read-only plan role, never allowing destruction", () => {
    const job = drift.jobs.plan;
    expect(job.environment).toBe("plan-${{ matrix.environment }}");
    expect(job.strategy?.matrix.environment).toBe("${{ fromJSON(needs.environments.outputs.environments) }}");
    const planStep = job.steps.find((s) => s.run?.includes("lakestack plan"))!;
    expect(planStep.run).toContain("--detailed-exitcode");
    // The plan role takes no state lock, and the plan text stays out of the log.
    expect(planStep.run).toContain("--no-lock");
    expect(planStep.run).toContain("--terraform-log");
    expect(JSON.stringify(job)).not.toContain("LAKESTACK_GUARD_ALLOW");
  });

  it("records clean for exit 0, drift for 2, destructive for 3 (blocked) and fails the job otherwise", () => {
    const script = drift.jobs.plan.steps.find((s) => s.run?.includes("lakestack plan"))!.run!;
    const dir = scratchDir("drift-exit");
    try {
      for (const [exit, result, code] of [
        [0, "clean", 0],
        [2, "drift", 0],
        [3, "destructive", 0],
        [1, "failed", 1],
      ] as const) {
        writeFileSync(join(dir, "node"), `#!/bin/sh\nexit ${exit}\n`, { mode: 0o755 });
        const run = runStep(script, {
          cwd: dir,
          env: { PATH: `${dir}:/usr/bin:/bin`, LAKESTACK_ENV: "prod" },
        });
        expect(run.code).toBe(code);
        expect(readFileSync(join(dir, "drift-prod.result"), "utf8").trim()).toBe(result);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
