import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeCore, runGithubScript, scratchDir, scriptStep, workflow } from "./support";

const REPO = { owner: "seismo-platform", repo: "lakestack" };
const LABEL = "lakestack:allow-destroy";
const BOT = { type: "Bot", login: "github-actions[bot]" };

/** A stand-in for the GitHub client: records every call, answers from the given fixtures. */
function fakeGithub(fixtures: {
  comments?: { id: number; user: { type: string }; body: string }[];
  issues?: { number: number; title: string; pull_request?: object }[];
  pulls?: {
    number: number;
    merged_at: string | null;
    merge_commit_sha: string;
    labels: { name: string }[];
  }[];
  labelExists?: boolean;
}) {
  const calls: { method: string; args: Record<string, unknown> }[] = [];
  const record =
    (method: string, answer: (args: Record<string, unknown>) => unknown = () => ({ data: {} })) =>
    async (args: Record<string, unknown>) => {
      calls.push({ method, args });
      return answer(args);
    };
  const rest = {
    issues: {
      listComments: record("issues.listComments"),
      updateComment: record("issues.updateComment"),
      createComment: record("issues.createComment"),
      listForRepo: record("issues.listForRepo"),
      create: record("issues.create"),
      update: record("issues.update"),
      getLabel: record("issues.getLabel", () => {
        if (fixtures.labelExists === false) throw Object.assign(new Error("Not Found"), { status: 404 });
        return { data: { name: "drift" } };
      }),
      createLabel: record("issues.createLabel"),
    },
    repos: {
      listPullRequestsAssociatedWithCommit: record("repos.listPullRequestsAssociatedWithCommit", () => ({
        data: fixtures.pulls ?? [],
      })),
    },
  };
  const paginate = async (
    method: (args: Record<string, unknown>) => Promise<unknown>,
    args: Record<string, unknown>,
  ) => {
    await method(args);
    if (method === rest.issues.listComments) return fixtures.comments ?? [];
    if (method === rest.issues.listForRepo) return fixtures.issues ?? [];
    throw new Error("unexpected paginate");
  };
  const writes = () => calls.filter((c) => !/\.(list|get)/.test(c.method));
  return { github: { rest, paginate }, calls, writes };
}

function context(overrides: Record<string, unknown> = {}) {
  return {
    repo: REPO,
    issue: { number: 7 },
    serverUrl: "https://github.com",
    runId: 99,
    sha: "1111111111111111111111111111111111111111",
    eventName: "pull_request",
    payload: { pull_request: { head: { sha: "abcdef0123456789abcdef0123456789abcdef01" } } },
    ...overrides,
  };
}

describe("the plan comment (plan.yml)", () => {
  const script = scriptStep(workflow("plan.yml").jobs.comment);
  let dir: string;
  beforeAll(() => {
    dir = scratchDir("summaries");
    writeFileSync(
      join(dir, "plan-dev.md"),
      "<!-- lakestack-guard -->\n### lakestack plan guard: ✅ pass\n\n| dev |\n",
    );
    writeFileSync(
      join(dir, "plan-prod.md"),
      "<!-- lakestack-guard -->\n### lakestack plan guard: ❌ blocked\n",
    );
    // What `lakestack cost --env dev --against HEAD^1 --markdown` printed in the cost job.
    writeFileSync(
      join(dir, "cost-dev.md"),
      "**💰 Estimated monthly cost: $12.00** (AWS $2.00 · Databricks $10.00), **+$4.00** against the base branch (was $8.00).\n",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = (overrides: Record<string, string> = {}) => ({
    SUMMARY_DIR: dir,
    COST_DIR: dir,
    COST_RESULT: "success",
    PLANNED_ENVIRONMENTS: '["dev","prod","staging"]',
    CHECKS_RESULT: "success",
    PLAN_RESULT: "success",
    ALLOW_DESTROY: "false",
    ALLOW_DESTROY_LABEL: LABEL,
    ...overrides,
  });

  it("creates one comment with every environment's summary when there is none yet", async () => {
    const fake = fakeGithub({
      comments: [{ id: 1, user: { type: "User" }, body: "<!-- lakestack-plan --> quoted by a person" }],
    });
    const core = fakeCore();
    await runGithubScript(script, { github: fake.github, context: context(), core, env: env() });
    expect(fake.writes().map((c) => c.method)).toEqual(["issues.createComment"]);
    const body = String(fake.writes()[0].args.body);
    expect(body.startsWith("<!-- lakestack-plan -->\n## lakestack plan")).toBe(true);
    expect(body).toContain("### `dev`\n\n### lakestack plan guard: ✅ pass");
    expect(body).toContain("### `prod`\n\n### lakestack plan guard: ❌ blocked");
    expect(body).toMatch(/### `staging`\n\n❌ No summary/);
    // The cost and its change sit under each environment's guard verdict.
    expect(body).toContain(
      "### `dev`\n\n### lakestack plan guard: ✅ pass\n\n| dev |\n\n**💰 Estimated monthly cost: $12.00** (AWS $2.00 · Databricks $10.00), **+$4.00** against the base branch",
    );
    expect(body).not.toContain("<!-- lakestack-guard -->");
    expect(body).toContain(`🔒 Destructive changes are blocked`);
    expect(body).toContain("Planned at abcdef0");
    expect(fake.writes()[0].args).toMatchObject({ ...REPO, issue_number: 7 });
    expect(core.failures).toEqual([]);
  });

  it("says when an environment has no cost estimate, and why", async () => {
    const fake = fakeGithub({});
    await runGithubScript(script, {
      github: fake.github,
      context: context(),
      core: fakeCore(),
      env: env({ COST_RESULT: "failure" }),
    });
    const body = String(fake.writes()[0].args.body);
    expect(body).toMatch(
      /### `prod`\n\n### lakestack plan guard: ❌ blocked\n\n💰 No cost estimate \(the cost job: failure\)\. See the \[workflow run\]\(https:\/\/github\.com\/seismo-platform\/lakestack\/actions\/runs\/99\)\./,
    );
  });

  it("updates its own earlier comment in place", async () => {
    const fake = fakeGithub({
      comments: [
        { id: 1, user: { type: "User" }, body: "<!-- lakestack-plan --> quoted by a person" },
        { id: 2, user: BOT, body: "<!-- lakestack-plan -->\nold" },
      ],
    });
    await runGithubScript(script, { github: fake.github, context: context(), core: fakeCore(), env: env() });
    expect(fake.writes().map((c) => [c.method, c.args.comment_id])).toEqual([["issues.updateComment", 2]]);
  });

  it("says when the label allows destruction, and when nothing needed planning", async () => {
    const fake = fakeGithub({});
    await runGithubScript(script, {
      github: fake.github,
      context: context(),
      core: fakeCore(),
      env: env({ ALLOW_DESTROY: "true", PLANNED_ENVIRONMENTS: "[]", PLAN_RESULT: "skipped" }),
    });
    const body = String(fake.writes()[0].args.body);
    expect(body).toContain(`🔓 The \`${LABEL}\` label is on`);
    expect(body).toContain("No environment is affected");
  });

  it("fails the job after commenting when the checks or a plan failed", async () => {
    const failures: Record<string, string>[] = [
      { PLAN_RESULT: "failure" },
      { CHECKS_RESULT: "failure", PLAN_RESULT: "skipped" },
    ];
    for (const overrides of failures) {
      const fake = fakeGithub({});
      const core = fakeCore();
      await runGithubScript(script, { github: fake.github, context: context(), core, env: env(overrides) });
      expect(fake.writes()).toHaveLength(1);
      expect(core.failures).toHaveLength(1);
    }
  });
});

describe("the merged pull request's label (deploy.yml)", () => {
  const script = scriptStep(workflow("deploy.yml").jobs.context);
  const sha = "2222222222222222222222222222222222222222";
  const pull = (labels: string[], merge = sha) => ({
    number: 5,
    merged_at: "2026-11-20T10:00:00Z",
    merge_commit_sha: merge,
    labels: labels.map((name) => ({ name })),
  });

  async function allowDestroy(eventName: string, pulls: ReturnType<typeof pull>[]) {
    const fake = fakeGithub({ pulls });
    const core = fakeCore();
    await runGithubScript(script, {
      github: fake.github,
      context: context({ eventName, sha }),
      core,
      env: { ALLOW_DESTROY_LABEL: LABEL },
    });
    return { value: core.outputs.allow_destroy, calls: fake.calls };
  }

  it("is on only for a push that merged a pull request carrying the label", async () => {
    expect((await allowDestroy("push", [pull([LABEL, "infra"])])).value).toBe("true");
    expect((await allowDestroy("push", [pull(["infra"])])).value).toBe("false");
    expect((await allowDestroy("push", [])).value).toBe("false");
  });

  it("ignores a labelled pull request that merely contains the commit", async () => {
    expect(
      (await allowDestroy("push", [pull([LABEL], "3333333333333333333333333333333333333333")])).value,
    ).toBe("false");
  });

  it("is off for manual runs without asking GitHub", async () => {
    const { value, calls } = await allowDestroy("workflow_dispatch", [pull([LABEL])]);
    expect(value).toBe("false");
    expect(calls).toEqual([]);
  });
});

describe("the drift issues (drift.yml)", () => {
  const script = scriptStep(workflow("drift.yml").jobs.report);
  let dir: string;
  beforeAll(() => {
    dir = scratchDir("drift");
    writeFileSync(join(dir, "drift-dev.result"), "drift\n");
    writeFileSync(join(dir, "drift-dev.md"), "<!-- lakestack-guard -->\n| dev | 1 change |\n");
    writeFileSync(join(dir, "drift-prod.result"), "drift\n");
    writeFileSync(join(dir, "drift-staging.result"), "clean\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens, updates or closes one issue per environment and leaves unknown results alone", async () => {
    const fake = fakeGithub({
      labelExists: false,
      issues: [
        { number: 11, title: "Drift: prod" },
        { number: 12, title: "Drift: staging" },
        { number: 13, title: "Drift: qa" },
        { number: 14, title: "Drift: dev", pull_request: {} },
      ],
    });
    const core = fakeCore();
    await runGithubScript(script, {
      github: fake.github,
      context: context({ eventName: "schedule" }),
      core,
      env: { RESULT_DIR: dir, ENVIRONMENTS: '["dev","prod","staging","qa"]' },
    });
    const writes = fake.writes().map((c) => ({ method: c.method, ...c.args }));
    expect(writes).toEqual([
      expect.objectContaining({ method: "issues.createLabel", name: "drift" }),
      expect.objectContaining({ method: "issues.create", title: "Drift: dev", labels: ["drift"] }),
      expect.objectContaining({ method: "issues.update", issue_number: 11 }),
      expect.objectContaining({ method: "issues.createComment", issue_number: 12 }),
      expect.objectContaining({ method: "issues.update", issue_number: 12, state: "closed" }),
    ]);
    const opened = String((writes[1] as { body?: string }).body);
    expect(opened).toContain("| dev | 1 change |");
    expect(opened).not.toContain("<!-- lakestack-guard -->");
    expect(core.messages).toContain(
      "warning: qa: no plan result (the plan failed or did not run); its issue is left as it is",
    );
    expect(opened).not.toContain("destroy or endanger data");
  });

  it("opens or updates the issue for drift the guard blocks, saying it destroys or endangers data", async () => {
    const destructive = scratchDir("drift-destructive");
    try {
      writeFileSync(join(destructive, "drift-prod.result"), "destructive\n");
      writeFileSync(join(destructive, "drift-prod.md"), "<!-- lakestack-guard -->\n| prod | ❌ blocked |\n");
      writeFileSync(join(destructive, "drift-dev.result"), "destructive\n");
      const fake = fakeGithub({ issues: [{ number: 11, title: "Drift: prod" }] });
      await runGithubScript(script, {
        github: fake.github,
        context: context({ eventName: "schedule" }),
        core: fakeCore(),
        env: { RESULT_DIR: destructive, ENVIRONMENTS: '["dev","prod"]' },
      });
      const writes = fake.writes().map((c) => ({ method: c.method, ...c.args }) as Record<string, unknown>);
      expect(writes).toEqual([
        expect.objectContaining({ method: "issues.create", title: "Drift: dev", labels: ["drift"] }),
        expect.objectContaining({ method: "issues.update", issue_number: 11 }),
      ]);
      for (const write of writes) expect(String(write.body)).toContain("**destroy or endanger data**");
      expect(String(writes[1].body)).toContain("| prod | ❌ blocked |");
    } finally {
      rmSync(destructive, { recursive: true, force: true });
    }
  });
});
