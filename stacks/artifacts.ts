import { buildIngestLambda } from "../lambda/build";
import { buildSite } from "../web/build";
import type { BuildArtifacts } from "./environment-stack";

/** Builds the runtime code the stacks deploy; both builders cache by content, so a warm call costs little. */
export function buildArtifacts(): BuildArtifacts {
  return {
    ingestLambda: buildIngestLambda(),
    siteFiles: buildSite().files,
  };
}
