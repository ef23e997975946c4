/**
 * Reads config/base.yaml + config/<environment>.yaml into a validated EnvironmentConfig.
 *
 * Files are treated as hostile: size and nesting are capped before parsing, aliases are capped while
 * converting, prototype keys are rejected, and every problem is reported with file:line:col.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import {
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from "yaml";
import type { z } from "zod";
import { closest, ConfigError, dottedPath, type Diagnostic } from "./diagnostics";
import { deriveNames, type ResourceNames } from "./naming";
import { environmentSchema, type EnvironmentConfig } from "./schema";

export const BASE_FILE = "base.yaml";
export const MAX_FILE_BYTES = 256 * 1024;
export const MAX_DEPTH = 32;
export const MAX_ALIASES = 64;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,15}$/;

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface Environment {
  /** The environment's name: its file name without `.yaml`; also the stack id. */
  readonly name: string;
  /** The environment file, relative to the working directory. */
  readonly file: string;
  readonly config: EnvironmentConfig;
  readonly names: ResourceNames;
  /** Where a YAML field is set (the environment file wins over base.yaml). */
  readonly locate: (path: readonly PropertyKey[]) => Position;
}

/** Environment names in a config folder: every `*.yaml` but base.yaml, sorted. */
export function environmentNames(configDir: string): string[] {
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    const file = relative(process.cwd(), configDir) || configDir;
    throw new ConfigError([
      {
        file,
        line: 1,
        col: 1,
        path: "",
        message: "no config folder here: pass --config <dir>, or run from the project",
      },
    ]);
  }
  return readdirSync(configDir)
    .filter((f) => f.endsWith(".yaml") && f !== BASE_FILE)
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/** Loads the named environments (all when none named); throws one ConfigError listing every problem. */
export function loadEnvironments(configDir: string, names?: readonly string[]): Environment[] {
  const all = environmentNames(configDir);
  const wanted = names && names.length > 0 ? names : all;
  const diagnostics: Diagnostic[] = [];
  for (const name of wanted) {
    if (!all.includes(name)) {
      const hint = closest(name, all);
      throw new ConfigError([
        {
          file: relative(process.cwd(), join(configDir, `${name}.yaml`)) || `${name}.yaml`,
          line: 1,
          col: 1,
          path: "",
          message: `no environment '${name}'${hint ? `; did you mean '${hint}'?` : ""} (environments: ${all.join(", ") || "none"})`,
        },
      ]);
    }
  }
  const base = readYamlFile(join(configDir, BASE_FILE), { optional: true });
  diagnostics.push(...base.diagnostics);
  const environments: Environment[] = [];
  for (const name of wanted) {
    const result = loadOne(configDir, name, base);
    if ("diagnostics" in result) diagnostics.push(...result.diagnostics);
    else environments.push(result.environment);
  }
  if (diagnostics.length > 0) throw new ConfigError(sortByPosition(dedupe(diagnostics)));
  return environments;
}

function loadOne(
  configDir: string,
  name: string,
  base: ParsedFile,
): { environment: Environment } | { diagnostics: Diagnostic[] } {
  const file = readYamlFile(join(configDir, `${name}.yaml`));
  if (!ENVIRONMENT_NAME.test(name)) {
    return {
      diagnostics: [
        at(
          file.position([]),
          `environment file names are 1-16 lowercase letters, digits and hyphens: rename ${name}.yaml`,
        ),
      ],
    };
  }
  if (file.diagnostics.length > 0 || base.diagnostics.length > 0) return { diagnostics: file.diagnostics };

  const merged = mergeConfig(base.value, file.value);
  const ownerOf = (path: readonly PropertyKey[]): ParsedFile =>
    decidedByFile(file, path) || !base.has(path) ? file : base;
  const locate = (path: readonly PropertyKey[]): Position => ownerOf(path).position(path);

  const parsed = environmentSchema.safeParse(merged);
  if (!parsed.success) {
    return {
      diagnostics: parsed.error.issues.flatMap((issue) => describeIssue(issue, merged, file, base, ownerOf)),
    };
  }
  const { names, issues } = deriveNames(name, parsed.data);
  if (issues.length > 0) {
    return { diagnostics: issues.map((i) => at(locate(i.path), i.message, dottedPath(i.path))) };
  }
  return { environment: { name, file: file.displayPath, config: parsed.data, names, locate } };
}

/**
 * Whether the environment file decides a path: it sets it, or it sets a list or value above it, which
 * replaces the base's wholesale (only maps merge).
 */
function decidedByFile(file: ParsedFile, path: readonly PropertyKey[]): boolean {
  for (let depth = 1; depth < path.length; depth++) {
    const prefix = path.slice(0, depth);
    if (!file.has(prefix)) return false;
    const value = valueAt(file.value, prefix);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return true;
  }
  return file.has(path);
}

// ---------------------------------------------------------------------------------------------------
// Reading one YAML file

/** One YAML file, read with the loader's caps and positions; other readers (the price file) reuse it. */
export interface ParsedFile {
  readonly displayPath: string;
  readonly value: Record<string, unknown>;
  readonly diagnostics: Diagnostic[];
  /** Whether the file itself sets this path. */
  readonly has: (path: readonly PropertyKey[]) => boolean;
  /** Position of the path, or of its nearest ancestor the file has. */
  readonly position: (path: readonly PropertyKey[], key?: string) => Position;
}

export function readYamlFile(path: string, options: { optional?: boolean } = {}): ParsedFile {
  const displayPath = relative(process.cwd(), path) || basename(path);
  const empty = (diagnostics: Diagnostic[]): ParsedFile => ({
    displayPath,
    value: {},
    diagnostics,
    has: () => false,
    position: () => ({ file: displayPath, line: 1, col: 1 }),
  });
  const start = { file: displayPath, line: 1, col: 1 };

  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return empty(options.optional ? [] : [at(start, "file not found")]);
  }
  if (size > MAX_FILE_BYTES) {
    return empty([
      at(start, `file is ${size} bytes; lakestack reads config files of at most ${MAX_FILE_BYTES} bytes`),
    ]);
  }
  const source = readFileSync(path, "utf8");
  const lineCounter = new LineCounter();
  const tooDeep = findExcessiveNesting(source);
  if (tooDeep) {
    return empty([
      at({ file: displayPath, ...tooDeep }, `nesting deeper than ${MAX_DEPTH} levels; flatten the file`),
    ]);
  }

  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const posAt = (offset: number): Position => ({ file: displayPath, ...lineCounter.linePos(offset) });
  const diagnostics: Diagnostic[] = [...doc.errors, ...doc.warnings].map((e) =>
    at(posAt(e.pos[0]), yamlMessage(e.code, e.message)),
  );
  diagnostics.push(...checkKeys(doc, posAt));

  const position = (path: readonly PropertyKey[], key?: string): Position =>
    posAt(locateNode(doc, path, key) ?? 0);
  const has = (path: readonly PropertyKey[]) => path.length === 0 || doc.hasIn(path as unknown[]);

  if (diagnostics.length > 0) return { ...empty(diagnostics), has, position };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...empty([at(start, `cannot expand aliases: ${message}`)]), has, position };
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return { ...empty([at(start, "the file must be a mapping of keys to values")]), has, position };
  }
  return { displayPath, value: value as Record<string, unknown>, diagnostics: [], has, position };
}

/**
 * Depth of block indentation plus flow brackets, measured on the raw text: the parser composes nodes
 * recursively, and a pathological file must be refused before it gets there.
 *
 * Brackets inside quoted scalars do not count. A quote opens a quoted scalar only where a scalar can
 * start (after indentation, `[`, `{`, `,`, `:`, `-` or `?`): an apostrophe inside a plain scalar, as in
 * `it's`, is text. Quoted scalars may span lines; `''` and `\"` inside them do not close them.
 */
function findExcessiveNesting(source: string): { line: number; col: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  let quote: string | undefined;
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // Every "- " before the content opens a sequence one level deeper ("- - - x" is three levels).
    const levels: number[] = [];
    let content = 0;
    for (; content < line.length; content++) {
      const c = line[content];
      if (c === "-" && (content + 1 === line.length || /\s/.test(line[content + 1]))) levels.push(content);
      else if (!/\s/.test(c)) break;
    }
    if (content < line.length && line[content] !== "#" && flow === 0 && quote === undefined) {
      levels.push(content);
      while (indents.length > 0 && indents[indents.length - 1] >= levels[0]) indents.pop();
      indents.push(...levels);
    }
    let previous = ""; // the last character outside quotes that is not whitespace, "" at the line's start
    for (let j = 0; j < line.length; j++) {
      const c = line[j];
      if (quote === "'") {
        if (c === "'" && line[j + 1] === "'") j++;
        else if (c === "'") quote = undefined;
        continue;
      }
      if (quote === '"') {
        if (c === "\\") j++;
        else if (c === '"') quote = undefined;
        continue;
      }
      if ((c === '"' || c === "'") && (previous === "" || "[{,:-?".includes(previous))) quote = c;
      else if (c === "#" && (j === 0 || /\s/.test(line[j - 1]))) break;
      else if (c === "[" || c === "{") flow++;
      else if (c === "]" || c === "}") flow = Math.max(0, flow - 1);
      if (!/\s/.test(c)) previous = c;
      if (indents.length + flow > MAX_DEPTH) return { line: i + 1, col: j + 1 };
    }
    if (indents.length > MAX_DEPTH) return { line: i + 1, col: content + 1 };
  }
  return undefined;
}

/** Rejects keys that could reach an object's prototype, wherever they are. */
function checkKeys(doc: Document, posAt: (offset: number) => Position): Diagnostic[] {
  const found: Diagnostic[] = [];
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
          found.push(
            at(
              posAt(pair.key && isNode(pair.key) ? pair.key.range![0] : 0),
              `the key '${key}' is not allowed`,
            ),
          );
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  visit(doc.contents);
  return found;
}

function locateNode(doc: Document, path: readonly PropertyKey[], key?: string): number | undefined {
  if (key !== undefined) {
    const parent = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
  }
  for (let p = [...path]; ; p = p.slice(0, -1)) {
    const node = p.length === 0 ? doc.contents : doc.getIn(p as unknown[], true);
    if (isNode(node) && node.range) return node.range[0];
    if (isPair(node) && isNode(node.key)) return (node.key as Node).range?.[0];
    if (p.length === 0) return undefined;
  }
}

function yamlMessage(code: string, message: string): string {
  const first = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  if (code === "DUPLICATE_KEY") return "duplicate key: each key may appear once in a mapping";
  return `YAML: ${first}`;
}

// ---------------------------------------------------------------------------------------------------
// Merging base + environment

/**
 * Maps merge key by key; lists and scalars from the environment replace the base's. Keys are defined,
 * never assigned, so no key can reach a prototype even if it slipped past the parser's checks.
 */
export function mergeConfig(base: unknown, override: unknown): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const define = (key: string, value: unknown) =>
    Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  const isPlain = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  for (const source of [base, override]) {
    if (!isPlain(source)) continue;
    for (const key of Object.keys(source)) {
      if (FORBIDDEN_KEYS.has(key)) continue;
      const value = source[key];
      define(key, isPlain(value) && isPlain(merged[key]) ? mergeConfig(merged[key], value) : value);
    }
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------------
// Turning schema issues into diagnostics

function describeIssue(
  issue: z.core.$ZodIssue,
  merged: unknown,
  file: ParsedFile,
  base: ParsedFile,
  ownerOf: (path: readonly PropertyKey[]) => ParsedFile,
): Diagnostic[] {
  const path = issue.path as PropertyKey[];
  const received = valueAt(merged, path);
  const got = received === undefined ? "" : ` (got ${show(received)})`;

  if (issue.code === "unrecognized_keys") {
    const allowed = keysAt(environmentSchema, path);
    return issue.keys.map((key) => {
      const owner = ownerOf([...path, key]);
      const hint = closest(key, allowed);
      const suggestion = hint
        ? `; did you mean '${hint}'?`
        : allowed.length
          ? ` (allowed: ${allowed.join(", ")})`
          : "";
      return at(owner.position(path, key), `unknown key '${key}'${suggestion}`, dottedPath([...path, key]));
    });
  }
  const where = ownerOf(path).position(path);
  const field = dottedPath(path);
  switch (issue.code) {
    case "invalid_type":
      if (received === undefined) {
        return [at(where, `is required: add it to ${file.displayPath} or ${base.displayPath}`, field)];
      }
      return [at(where, `expected ${issue.expected}${got}`, field)];
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v));
      const hint = typeof received === "string" ? closest(received, issue.values.map(String)) : undefined;
      return [
        at(
          where,
          `must be one of ${options.join(", ")}${got}${hint ? `; did you mean '${hint}'?` : ""}`,
          field,
        ),
      ];
    }
    case "too_small":
      return [at(where, `${bound("at least", issue.minimum, issue.origin)}${got}`, field)];
    case "too_big":
      return [at(where, `${bound("at most", issue.maximum, issue.origin)}${got}`, field)];
    default:
      return [at(where, `${issue.message}${typeof received === "object" ? "" : got}`, field)];
  }
}

function bound(word: string, limit: unknown, origin: string): string {
  if (origin === "array") return `must have ${word} ${String(limit)} item(s)`;
  if (origin === "string") return `must be ${word} ${String(limit)} character(s) long`;
  return `must be ${word} ${String(limit)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The keys the schema allows at a path, for "did you mean" suggestions. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of [...path, undefined]) {
    // Unwrap defaults, optionals and pipes down to the structural schema.
    for (;;) {
      const def = (node as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (["optional", "default", "nullable", "prefault", "readonly", "catch"].includes(def.type as string)) {
        node = def.innerType;
      } else if (def.type === "pipe") node = def.in;
      else break;
    }
    const def = (node as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (key === undefined) return def.type === "object" ? Object.keys(def.shape as object) : [];
    if (def.type === "object") node = (def.shape as Record<string, unknown>)[String(key)];
    else if (def.type === "array") node = def.element;
    else if (def.type === "record") node = def.valueType;
    else return [];
    if (node === undefined) return [];
  }
  return [];
}

function at(position: Position, message: string, path = ""): Diagnostic {
  return { ...position, path, message };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.line}:${d.col}:${d.path}:${d.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
