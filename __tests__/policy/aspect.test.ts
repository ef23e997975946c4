import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../loader/diagnostics";
import type { Environment } from "../../loader/load";
import { applyPolicy, policyDiagnostics } from "../../policy/aspect";
import { buildArtifacts } from "../../stacks/artifacts";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { testApp } from "../helpers";
import { environmentText, loadFrom, proposedBase, proposedEnvironment } from "./fixtures";

/** prod with a token recipient that has no IP access list (LS-DBX-2), and the file's text. */
const openRecipientText = environmentText("prod", {
  sharing: { recipients: { open_partner: { auth: "token" } } },
});
const openRecipient = () => loadFrom("prod", { "base.yaml": proposedBase(), "prod.yaml": openRecipientText });

function stackFor(environment: Environment) {
  const app = testApp();
  const stack = new EnvironmentStack(app, environment, { outDir: app.outdir, artifacts: buildArtifacts() });
  return { app, stack, pack: applyPolicy(stack, environment) };
}

function synthError(synth: () => void): ConfigError {
  try {
    synth();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected synthesis to fail");
}

describe("applyPolicy", () => {
  const recipientLine = openRecipientText.split("\n").findIndex((l) => l.includes("open_partner:")) + 1;

  it("fails synthesis with the error findings at their YAML positions, writing nothing", () => {
    // Annotations would let this variable turn errors off; the policy must not.
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "1";
    try {
      const environment = openRecipient();
      const { app, stack } = stackFor(environment);
      const error = synthError(() => app.synth());
      expect(error.diagnostics).toEqual([
        {
          file: environment.file,
          line: recipientLine,
          col: expect.any(Number),
          path: "sharing.recipients.open_partner",
          severity: "error",
          rule: "LS-DBX-2",
          message: expect.stringContaining(
            "databricks_recipient.delta_sharing_recipient_open_partner: token recipient 'open_partner' can use its credential from any address",
          ),
        },
      ]);
      expect(existsSync(join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"))).toBe(false);
    } finally {
      delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    }
  });

  it("lets a compliant stack synthesize, keeping warnings and acknowledged findings for the caller", () => {
    const { app, stack, pack } = stackFor(proposedEnvironment("prod"));
    app.synth();
    expect(existsSync(join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"))).toBe(true);
    expect(pack.diagnostics.map((d) => [d.severity, d.rule])).toEqual([
      ["info", "LS-COG-1"],
      ["info", "LS-S3-3"],
      ["info", "LS-S3-5"],
    ]);
  });

  it("reports the same findings to validate without synthesizing", () => {
    const environment = openRecipient();
    const { app, stack } = stackFor(environment);
    expect(policyDiagnostics(stack, environment).map((d) => [d.severity, d.rule])).toEqual([
      ["error", "LS-DBX-2"],
      ["info", "LS-COG-1"],
      ["info", "LS-S3-3"],
      ["info", "LS-S3-5"],
    ]);
    expect(existsSync(join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"))).toBe(false);
  });
});
