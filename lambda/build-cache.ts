import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../paths";

// Every cached input path is relative to the repository root.
const CACHE_ROOT = path.join(REPO_ROOT, "node_modules", ".cache", "lakestack");
// Artifacts another fingerprint left behind are removed once they are this old (a concurrent build may still read a fresh one).
const STALE_ARTIFACT_MS = 10 * 60 * 1000;

export interface BuildOutcome<T> {
  /** Repo-relative paths of the files the build read, e.g. the keys of esbuild's metafile inputs. */
  readonly inputs: readonly string[];
  /** A JSON-serializable description of what the build wrote into its artifact directory. */
  readonly result: T;
}

export interface CachedBuildSpec<T> {
  /** Names the cache entry: one current artifact per name. */
  readonly name: string;
  /** Files that shape the output without being esbuild inputs: the builder's own code, HTML, tsconfig.json. */
  readonly fixedInputs: readonly string[];
  /** Everything else the output depends on, e.g. the serialized build options. */
  readonly salt: string;
  /** Writes the artifact into an empty directory. */
  readonly build: (artifactDir: string) => BuildOutcome<T>;
}

export interface CachedArtifact<T> {
  readonly dir: string;
  readonly result: T;
}

interface Manifest<T> {
  readonly salt: string;
  /** Input key → identity at build time; see {@link identityOf}. */
  readonly fingerprint: Record<string, string>;
  readonly artifact: string;
  readonly result: T;
  /** package-lock.json's size and modification time when the fingerprint was taken; see {@link isCurrent}. */
  readonly lockfile?: string;
}

/**
 * Runs a build once per distinct input, under node_modules/.cache/lakestack/<name>/.
 *
 * A hit costs hashing the project's own input files: packages are identified by their lockfile entry
 * (version + integrity), not by hashing their files, and package-lock.json is read only when it changed
 * since the fingerprint was taken. A miss builds into a private directory and renames it into place, so
 * concurrent processes never see a half-written artifact.
 */
export function cachedBuild<T>(spec: CachedBuildSpec<T>): CachedArtifact<T> {
  const entryDir = path.join(CACHE_ROOT, spec.name);
  const manifestPath = path.join(entryDir, "manifest.json");
  const lock = new LockfileIndex();
  const lockfile = lockfileStamp();

  const previous = readManifest<T>(manifestPath);
  if (
    previous &&
    previous.salt === spec.salt &&
    isCurrent(previous.fingerprint, lock, previous.lockfile === lockfile)
  ) {
    const dir = path.join(entryDir, previous.artifact);
    if (fs.existsSync(dir)) {
      // Checked against this lockfile: the next hit need not read it again.
      if (previous.lockfile !== lockfile) writeManifest(manifestPath, { ...previous, lockfile });
      return { dir, result: previous.result };
    }
  }

  fs.mkdirSync(entryDir, { recursive: true });
  const scratch = path.join(entryDir, `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  fs.mkdirSync(scratch);
  let outcome: BuildOutcome<T>;
  try {
    outcome = spec.build(scratch);
  } catch (error) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw error;
  }

  const fingerprint = fingerprintOf([...outcome.inputs, ...spec.fixedInputs], lock);
  const artifact = sha256Hex(JSON.stringify({ salt: spec.salt, fingerprint })).slice(0, 20);
  const dir = path.join(entryDir, artifact);
  try {
    fs.renameSync(scratch, dir);
  } catch {
    // Another process built the same fingerprint first: its artifact is identical.
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  writeManifest(manifestPath, { salt: spec.salt, fingerprint, artifact, result: outcome.result, lockfile });
  removeStaleArtifacts(entryDir, artifact);
  return { dir, result: outcome.result };
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Repo-relative key of an input: the package directory for files inside node_modules, else the file itself. */
function inputKey(input: string): string {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : input;
}

function fingerprintOf(inputs: readonly string[], lock: LockfileIndex): Record<string, string> {
  const fingerprint: Record<string, string> = {};
  for (const input of [...inputs].sort()) {
    const packageDir = inputKey(input);
    // A package missing from the lockfile is identified by the contents of each file the build read.
    const key = lock.has(packageDir) ? packageDir : input;
    fingerprint[key] ??= identityOf(key, lock);
  }
  return fingerprint;
}

/**
 * Whether every input still has its identity. A package's identity is its lockfile entry, so while
 * package-lock.json is unchanged (`lockfileUnchanged`) its packages are too, and it need not be parsed.
 */
function isCurrent(
  fingerprint: Record<string, string>,
  lock: LockfileIndex,
  lockfileUnchanged: boolean,
): boolean {
  return Object.entries(fingerprint).every(
    ([key, identity]) => (lockfileUnchanged && isPackageDir(key)) || identityOf(key, lock) === identity,
  );
}

/** A fingerprint key naming a package directory (its identity is its lockfile entry), not a file. */
const isPackageDir = (key: string) => /(^|\/)node_modules\/(@[^/]+\/)?[^/]+$/.test(key);

/** A lockfile entry's version and integrity for a package directory, a content hash for a file, "missing" otherwise. */
function identityOf(key: string, lock: LockfileIndex): string {
  const locked = lock.identity(key);
  if (locked) return locked;
  try {
    return sha256Hex(fs.readFileSync(path.join(REPO_ROOT, key)));
  } catch {
    return "missing";
  }
}

class LockfileIndex {
  private packages?: LockPackages;

  has(key: string): boolean {
    return this.identity(key) !== undefined;
  }

  identity(key: string): string | undefined {
    if (!key.includes("node_modules/")) return undefined;
    this.packages ??= readLockPackages();
    const entry = this.packages[key];
    return entry?.version ? `${entry.version} ${entry.integrity ?? ""}` : undefined;
  }
}

type LockPackages = Record<string, { version?: string; integrity?: string }>;
let lockMemo: { stamp: string; packages: LockPackages } | undefined;

const LOCKFILE = path.join(REPO_ROOT, "package-lock.json");

/** package-lock.json's size and modification time, or "missing". */
function lockfileStamp(): string {
  try {
    const { mtimeMs, size } = fs.statSync(LOCKFILE);
    return `${mtimeMs}:${size}`;
  } catch {
    return "missing";
  }
}

/** The lockfile's `packages`, parsed once per process unless the file changes. */
function readLockPackages(): LockPackages {
  try {
    const stamp = lockfileStamp();
    if (lockMemo?.stamp !== stamp) {
      const lock = JSON.parse(fs.readFileSync(LOCKFILE, "utf8")) as { packages?: LockPackages };
      lockMemo = { stamp, packages: lock.packages ?? {} };
    }
    return lockMemo.packages;
  } catch {
    return {};
  }
}

function writeManifest<T>(manifestPath: string, manifest: Manifest<T>): void {
  const scratch = `${manifestPath}.${process.pid}.tmp`;
  fs.writeFileSync(scratch, JSON.stringify(manifest, null, 2));
  fs.renameSync(scratch, manifestPath);
}

function readManifest<T>(manifestPath: string): Manifest<T> | undefined {
  try {
    return JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Manifest<T>;
  } catch {
    return undefined;
  }
}

function removeStaleArtifacts(entryDir: string, current: string): void {
  const cutoff = Date.now() - STALE_ARTIFACT_MS;
  for (const name of fs.readdirSync(entryDir)) {
    if (name === current || name.startsWith("manifest.json")) continue;
    const candidate = path.join(entryDir, name);
    try {
      if (fs.statSync(candidate).mtimeMs < cutoff) fs.rmSync(candidate, { recursive: true, force: true });
    } catch {
      // Already removed by a concurrent build.
    }
  }
}
