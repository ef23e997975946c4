import type { BuildOptions } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { cachedBuild } from "../lambda/build-cache";
import { REPO_ROOT } from "../paths";
import { loadEsbuild } from "../lambda/esbuild";

export interface SiteFile {
  /** Object key in the site bucket, e.g. `index.html` or `assets/main-X7KQ2H3D.js`. */
  readonly key: string;
  /** Absolute path of the file to upload. */
  readonly path: string;
  readonly contentType: string;
  readonly cacheControl: string;
}

export interface SiteBuild {
  /** The directory holding every file below, laid out as the bucket root. */
  readonly dir: string;
  /** `index.html` and the assets; `config.json` is not among them: the infrastructure writes it. */
  readonly files: SiteFile[];
}

// Phones a few years old still join in (iOS 15, Android Chrome 90).
const BUNDLE_OPTIONS = {
  bundle: true,
  platform: "browser",
  format: "iife",
  target: ["es2020", "safari15", "chrome90", "firefox90"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  entryNames: "assets/[name]-[hash]",
  logLevel: "silent",
} satisfies BuildOptions;

const ENTRY_POINTS = { main: "web/src/main.ts", styles: "web/src/styles.css" };

/**
 * Where index.html's Content-Security-Policy lists the origins the page may call besides its own: each
 * deploy fills in exactly its endpoints (Cognito, STS and Kinesis in the region, the ingest API), so the
 * page can reach nothing else.
 */
const CONNECT_SOURCES_PLACEHOLDER = "__CONNECT_SOURCES__";

/** index.html with its connect-src filled in; a source must be an origin, never a wildcard. */
export function withConnectSources(html: string, sources: readonly string[]): string {
  if (!html.includes(CONNECT_SOURCES_PLACEHOLDER)) {
    throw new Error(`${HTML_SOURCE} has no ${CONNECT_SOURCES_PLACEHOLDER} in its Content-Security-Policy`);
  }
  return html.replace(CONNECT_SOURCES_PLACEHOLDER, sources.join(" "));
}
const HTML_SOURCE = "web/index.html";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};
// Names carrying a content hash never change meaning, so browsers may keep them; everything else revalidates.
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/**
 * Bundles the seismograph page for the site bucket: `index.html` pointing at content-hashed assets.
 * Synchronous so stacks can call it while they are constructed; cached like the Lambda build.
 */
export function buildSite(): SiteBuild {
  const { dir, result } = cachedBuild({
    name: "site",
    fixedInputs: [
      "web/build.ts",
      HTML_SOURCE,
      "lambda/build-cache.ts",
      "lambda/esbuild.ts",
      "tsconfig.json",
      "node_modules/esbuild/package.json",
    ],
    salt: JSON.stringify(BUNDLE_OPTIONS),
    build: (artifactDir) => {
      const output = loadEsbuild().buildSync({
        ...BUNDLE_OPTIONS,
        entryPoints: ENTRY_POINTS,
        absWorkingDir: REPO_ROOT,
        outdir: artifactDir,
        write: false,
        metafile: true,
      });
      const keys: string[] = [];
      const assetKey: Record<string, string> = {};
      for (const file of output.outputFiles) {
        const key = path.relative(artifactDir, file.path).split(path.sep).join("/");
        writeFile(artifactDir, key, file.contents);
        keys.push(key);
      }
      for (const [outputPath, { entryPoint }] of Object.entries(output.metafile.outputs)) {
        const name = Object.entries(ENTRY_POINTS).find(([, source]) => source === entryPoint)?.[0];
        const key = path.relative(artifactDir, path.join(REPO_ROOT, outputPath)).split(path.sep).join("/");
        if (name) assetKey[`assets/${name}${path.extname(outputPath)}`] = key;
      }
      writeFile(
        artifactDir,
        "index.html",
        linkAssets(fs.readFileSync(path.join(REPO_ROOT, HTML_SOURCE), "utf8"), assetKey),
      );
      keys.push("index.html");
      return { inputs: Object.keys(output.metafile.inputs), result: keys.sort().map(describeFile) };
    },
  });
  return { dir, files: result.map((file) => ({ ...file, path: path.join(dir, file.key) })) };
}

/** Points the HTML's `assets/main.js` and `assets/styles.css` at their hashed names; fails if one is missing. */
function linkAssets(html: string, assetKey: Record<string, string>): string {
  let linked = html;
  for (const [plain, hashed] of Object.entries(assetKey)) {
    const reference = new RegExp(`(src|href)="${plain.replace(/\./g, "\\.")}"`);
    if (!reference.test(linked)) throw new Error(`${HTML_SOURCE} does not reference ${plain}`);
    linked = linked.replace(reference, `$1="${hashed}"`);
  }
  return linked;
}

function describeFile(key: string): Omit<SiteFile, "path"> {
  const contentType = CONTENT_TYPES[path.extname(key)];
  if (!contentType) throw new Error(`no content type known for ${key}`);
  return { key, contentType, cacheControl: key.startsWith("assets/") ? IMMUTABLE : REVALIDATE };
}

function writeFile(root: string, key: string, contents: string | Uint8Array): void {
  const target = path.join(root, key);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, contents);
}
