import type * as Esbuild from "esbuild";

/** esbuild, loaded only when a build actually runs: a cache hit should not pay for loading it. */
export function loadEsbuild(): typeof Esbuild {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous, lazy import
  return require("esbuild") as typeof Esbuild;
}
