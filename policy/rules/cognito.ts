import type { SynthesizedResource } from "../resources";
import type { PolicyContext, Rule } from "../rule";

function isBrowserPool(context: PolicyContext, pool: SynthesizedResource): boolean {
  const { config, names } = context.environment;
  return config.browser_ingest.enabled && pool.config.identity_pool_name === names.identityPool;
}

function guestPools(context: PolicyContext, browser: boolean): SynthesizedResource[] {
  return context.resources
    .ofType("aws_cognito_identity_pool")
    .filter(
      (p) => p.config.allow_unauthenticated_identities === true && isBrowserPool(context, p) === browser,
    );
}

export const browserGuests: Rule = {
  id: "LS-COG-1",
  severity: "warning",
  title: "The browser-ingest identity pool gives anonymous visitors (guests) AWS credentials.",
  why: "Anyone can obtain them; the guest role must stay limited to putting records into the one stream.",
  fix: "Keep the guest role to kinesis:PutRecord(s) on the stream, and acknowledge this with a waiver that says why.",
  check: (context) =>
    guestPools(context, true).map((p) => ({
      resource: p.address,
      message: `lets anonymous visitors assume its guest role${p.config.allow_classic_flow === true ? " (classic flow on)" : ""}`,
    })),
};

export const noOtherGuests: Rule = {
  id: "LS-COG-2",
  severity: "error",
  title: "No identity pool other than the browser-ingest pool allows guest access.",
  why: "Guest credentials are handed to anyone on the internet; only the page that needs them may have them.",
  fix: "Set allow_unauthenticated_identities = false.",
  check: (context) =>
    guestPools(context, false).map((p) => ({ resource: p.address, message: "lets anonymous visitors in" })),
};

export const COGNITO_RULES: readonly Rule[] = [browserGuests, noOtherGuests];
