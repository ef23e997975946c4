import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The repository root: the nearest folder upwards holding lakestack's package.json. Found by walking up
 * rather than from a fixed `__dirname` offset, because the CLI also runs from a bundle in the build cache.
 */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "lakestack"
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no lakestack package.json above ${start}`);
  }
}
