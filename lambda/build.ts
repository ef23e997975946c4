import type { BuildOptions } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { REPO_ROOT } from "../paths";
import { cachedBuild } from "./build-cache";
import { loadEsbuild } from "./esbuild";
import { deterministicZip } from "./zip";

export interface IngestLambdaArtifact {
  /** Absolute path of the deployment package: a zip holding `index.js` (handler `index.handler`). */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip, the form Lambda's `source_code_hash` expects. */
  readonly codeSha256: string;
}

// The AWS SDK is bundled, not taken from the runtime, so the deployed code is exactly what was tested.
const BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  logLevel: "silent",
} satisfies BuildOptions;

const ZIP_NAME = "ingest.zip";

/**
 * Bundles the ingest handler into a deterministic zip for the `nodejs22.x` runtime: the same sources give
 * a byte-identical zip. Synchronous so stacks can call it while they are constructed; cached, so a
 * repeated synth costs a few milliseconds.
 */
export function buildIngestLambda(): IngestLambdaArtifact {
  const { dir, result } = cachedBuild({
    name: "ingest-lambda",
    fixedInputs: [
      "lambda/build.ts",
      "lambda/build-cache.ts",
      "lambda/esbuild.ts",
      "lambda/zip.ts",
      "tsconfig.json",
      "node_modules/esbuild/package.json",
    ],
    salt: JSON.stringify(BUNDLE_OPTIONS),
    build: (artifactDir) => {
      const { zip, inputs } = packageIngestLambda();
      fs.writeFileSync(path.join(artifactDir, ZIP_NAME), zip);
      return { inputs, result: { codeSha256: createHash("sha256").update(zip).digest("base64") } };
    },
  });
  return { zipPath: path.join(dir, ZIP_NAME), codeSha256: result.codeSha256 };
}

/** The deployment package, built now without the cache, and the files it was built from. */
export function packageIngestLambda(): { zip: Buffer; inputs: string[] } {
  const output = loadEsbuild().buildSync({
    ...BUNDLE_OPTIONS,
    entryPoints: ["lambda/ingest/handler.ts"],
    absWorkingDir: REPO_ROOT,
    write: false,
    metafile: true,
  });
  return {
    zip: deterministicZip([{ name: "index.js", data: output.outputFiles[0].contents }]),
    inputs: Object.keys(output.metafile.inputs),
  };
}
