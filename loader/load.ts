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
  Composer,
  LineCounter,
  Parser,
  stringify,
  YAMLParseError,
  type CST,
  type Document,
  type Node,
} from "yaml";
import type { z } from "zod";
import { REPO_ROOT } from "../paths";
import { closest, ConfigError, dottedPath, type Diagnostic } from "./diagnostics";
import { deriveNames, type ResourceNames } from "./naming";
import { environmentSchema, namedMapInfo, type EnvironmentConfig, type NamedMapInfo } from "./schema";
import { checkWorkloads, readWorkloads, type Workloads } from "./workloads";
import { explainSyntaxErrors, walkTokens } from "./yaml-errors";

export const BASE_FILE = "base.yaml";
export const MAX_FILE_BYTES = 256 * 1024;
export const MAX_DEPTH = 32;
export const MAX_ALIASES = 64;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,15}$/;

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A YAML comment: committed like any value, so the secrets rule reads it too. */
export interface YamlComment extends Position {
  /** The comment's text, `#` included. */
  readonly text: string;
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
  /** Where the key at the end of a path is written, e.g. a job's name (`locate` gives its value). */
  readonly locateKey: (path: readonly PropertyKey[]) => Position;
  /** Whether a YAML file sets the path (rather than a default applying). */
  readonly isSet: (path: readonly PropertyKey[]) => boolean;
  /** The notebooks and SQL files the config may name. */
  readonly workloads: Workloads;
  /** The comments of base.yaml and the environment file. */
  readonly comments: readonly YamlComment[];
}

export interface LoadOptions {
  /** The folder holding notebooks/ and sql/. @default the lakestack repository */
  readonly workloadsRoot?: string;
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
export function loadEnvironments(
  configDir: string,
  names?: readonly string[],
  options: LoadOptions = {},
): Environment[] {
  const all = environmentNames(configDir);
  const wanted = names && names.length > 0 ? names : all;
  const diagnostics: Diagnostic[] = misnamedFiles(configDir);
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
  const workloads = readWorkloads(options.workloadsRoot ?? REPO_ROOT);
  const environments: Environment[] = [];
  for (const name of wanted) {
    const result = loadOne(configDir, name, base, workloads);
    if ("diagnostics" in result) diagnostics.push(...result.diagnostics);
    else environments.push(result.environment);
  }
  if (diagnostics.length > 0) throw new ConfigError(sortByPosition(dedupe(diagnostics)));
  return environments;
}

/** `.yml` files would be ignored silently: say to rename them instead. */
function misnamedFiles(configDir: string): Diagnostic[] {
  return readdirSync(configDir)
    .filter((f) => f.endsWith(".yml"))
    .sort()
    .map((f) =>
      at(
        { file: relative(process.cwd(), join(configDir, f)) || f, line: 1, col: 1 },
        `lakestack reads .yaml files only: rename ${f} to ${f.slice(0, -".yml".length)}.yaml`,
      ),
    );
}

function loadOne(
  configDir: string,
  name: string,
  base: ParsedFile,
  workloads: Workloads,
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
  const locateKey = (path: readonly PropertyKey[]): Position => keyPosition(ownerOf(path), path);
  /** Where a path is set; unset, where its nearest set ancestor is (a default applies there). */
  const locate = (path: readonly PropertyKey[]): Position => {
    for (let p = path; p.length > 0; p = p.slice(0, -1)) {
      const owner = ownerOf(p);
      if (owner.has(p)) return entryPosition(owner, p);
    }
    return ownerOf(path).position([]);
  };

  const parsed = environmentSchema.safeParse(merged);
  if (!parsed.success) {
    return {
      diagnostics: parsed.error.issues.flatMap((issue) => describeIssue(issue, merged, file, base, ownerOf)),
    };
  }
  const { names, issues } = deriveNames(name, parsed.data);
  const problems = [...issues, ...checkWorkloads(parsed.data, workloads)];
  if (problems.length > 0) {
    return {
      diagnostics: problems.map((i) => {
        const where = i.atKey ? locateKey(i.path) : locate(i.path);
        return at(where, i.message, dottedPath(i.path));
      }),
    };
  }
  const comments = [...base.comments, ...file.comments];
  return {
    environment: {
      name,
      file: file.displayPath,
      config: parsed.data,
      names,
      locate,
      locateKey,
      isSet: (path) => path.length > 0 && ownerOf(path).has(path),
      workloads,
      comments,
    },
  };
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
  /** The scalar at a path as written (e.g. `012345678901`), with where its text starts, if the file sets one. */
  readonly scalar: (path: readonly PropertyKey[]) => WrittenScalar | undefined;
  readonly comments: readonly YamlComment[];
}

interface WrittenScalar {
  /** The source text, quotes included. */
  readonly source: string;
  /** Where the value's characters start: after an opening quote. */
  readonly start: Position;
  /** Whether a character offset into the value is the same offset into the source line. */
  readonly verbatim: boolean;
}

export function readYamlFile(path: string, options: { optional?: boolean } = {}): ParsedFile {
  const displayPath = relative(process.cwd(), path) || basename(path);
  const empty = (diagnostics: Diagnostic[]): ParsedFile => ({
    displayPath,
    value: {},
    diagnostics,
    has: () => false,
    position: () => ({ file: displayPath, line: 1, col: 1 }),
    scalar: () => undefined,
    comments: [],
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

  const { doc, tokens, commentTokens } = parseOnce(source, lineCounter);
  const posAt = (offset: number): Position => ({ file: displayPath, ...lineCounter.linePos(offset) });
  const diagnostics: Diagnostic[] = [
    ...explainSyntaxErrors(source, doc.errors, lineCounter, tokens).map((p) =>
      at({ file: displayPath, line: p.line, col: p.col }, p.message),
    ),
    ...doc.warnings.map((e) => at(posAt(e.pos[0]), `YAML: ${e.message.split("\n")[0]}`)),
  ];
  if (doc.errors.length === 0) diagnostics.push(...checkKeys(doc, posAt));

  const position = (path: readonly PropertyKey[], key?: string): Position =>
    posAt(locateNode(doc, path, key) ?? 0);
  const has = (path: readonly PropertyKey[]) => path.length === 0 || doc.hasIn(path as unknown[]);
  const scalar = (path: readonly PropertyKey[]): WrittenScalar | undefined => {
    const node = path.length === 0 ? undefined : doc.getIn(path as unknown[], true);
    if (!isScalar(node) || !node.range) return undefined;
    const written = source.slice(node.range[0], node.range[1]);
    const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
    const inner = quoted ? written.slice(1, -1) : written;
    return {
      source: written,
      start: posAt(node.range[0] + (quoted ? 1 : 0)),
      verbatim: (node.type === "PLAIN" || quoted) && inner === String(node.value) && !written.includes("\n"),
    };
  };
  const comments = commentTokens
    .map((c) => ({ ...posAt(c.offset), text: c.source }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
  const parsed = { has, position, scalar, comments };

  if (diagnostics.length > 0) return { ...empty(diagnostics), ...parsed };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...empty([at(start, `cannot expand aliases: ${message}`)]), ...parsed };
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return { ...empty([at(start, "the file must be a mapping of keys to values")]), ...parsed };
  }
  return { displayPath, value: value as Record<string, unknown>, diagnostics: [], ...parsed };
}

/**
 * The file's one document, as yaml's parseDocument makes it, and its comments, from the same pass of the
 * parser: comments live in the token stream, not in the document.
 */
function parseOnce(
  source: string,
  lineCounter: LineCounter,
): { doc: Document.Parsed; tokens: CST.Token[]; commentTokens: CommentToken[] } {
  const tokens: CST.Token[] = [];
  const commentTokens: CommentToken[] = [];
  function* parsed() {
    for (const token of new Parser(lineCounter.addNewLine).parse(source)) {
      tokens.push(token);
      walkTokens(token, (node) => {
        const t = node as { type?: unknown; offset?: unknown; source?: unknown };
        const comment = t.type === "comment" && typeof t.offset === "number" && typeof t.source === "string";
        if (comment) commentTokens.push({ offset: t.offset as number, source: t.source as string });
        return comment;
      });
      yield token;
    }
  }
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false, strict: true });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(parsed(), true, source.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          "MULTIPLE_DOCS",
          "Source contains multiple documents",
        ),
      );
      break;
    }
  }
  return { doc: doc!, tokens, commentTokens };
}

interface CommentToken {
  readonly offset: number;
  readonly source: string;
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

/**
 * Where a path is in one file: a named entry (a job, a recipient) where its name is written, anything
 * else where its value starts; a path the file does not set, where its nearest ancestor the file sets is.
 */
function entryPosition(owner: ParsedFile, path: readonly PropertyKey[]): Position {
  let p = path;
  while (p.length > 0 && !owner.has(p)) p = p.slice(0, -1);
  const named = p.length > 0 && schemaAt(environmentSchema, p.slice(0, -1))?.named;
  return named ? keyPosition(owner, p) : owner.position(p);
}

/** Where the key at the end of a path is written in one file, rather than its value. */
function keyPosition(owner: ParsedFile, path: readonly PropertyKey[]): Position {
  return owner.position(path.slice(0, -1), String(path.at(-1)));
}

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
  const field = dottedPath(path);
  /** Where the key at the end of the path is written (for problems with a name rather than its entry). */
  const atKey = () => keyPosition(ownerOf(path), path);

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
  if (issue.code === "invalid_union") {
    // The branch of the value's own type says what is wrong; if no branch took the type, list the types.
    const own = issue.errors.find((b) => b.length > 0 && b.every((i) => i.code !== "invalid_type"));
    if (own) {
      return own.flatMap((i) =>
        describeIssue({ ...i, path: [...path, ...i.path] } as z.core.$ZodIssue, merged, file, base, ownerOf),
      );
    }
    const types = issue.errors.flatMap((b) =>
      b.flatMap((i) => (i.code === "invalid_type" ? [i.expected] : [])),
    );
    return [
      at(entryPosition(ownerOf(path), path), `expected ${[...new Set(types)].join(" or ")}${got}`, field),
    ];
  }
  if (issue.code === "invalid_key") {
    const why =
      issue.issues.map((i) => i.message).find((m) => !m.startsWith("Invalid")) ?? "is not a valid name";
    return [at(atKey(), `'${String(path.at(-1))}': ${why}`, field)];
  }
  const owner = ownerOf(path);
  let where = entryPosition(owner, path);
  const params = (issue as { params?: { offset?: number; atKey?: boolean; showValue?: boolean } }).params;
  if (params?.atKey) where = atKey();
  if (params?.offset !== undefined) {
    // Point inside the string at the character at fault, when the YAML spells the value as written.
    const written = owner.scalar(path);
    if (written?.verbatim) where = { ...written.start, col: written.start.col + params.offset };
  }
  switch (issue.code) {
    case "invalid_type": {
      if (received === undefined) {
        return [at(where, `is required: add it to ${file.displayPath} or ${base.displayPath}`, field)];
      }
      return [at(where, wrongType(issue.expected, received, path, owner), field)];
    }
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
      if (!issue.message.startsWith("Too small")) return [at(where, `${issue.message}${got}`, field)];
      return [at(where, `${bound("at least", issue.minimum, issue.origin)}${got}`, field)];
    case "too_big":
      return [at(where, `${bound("at most", issue.maximum, issue.origin)}${got}`, field)];
    default: {
      // Format checks show the value they refused; lakestack's own checks show it when they ask to.
      const show = issue.code === "custom" ? params?.showValue === true : typeof received !== "object";
      return [at(where, `${issue.message}${show ? got : ""}`, field)];
    }
  }
}

/** What a value of the wrong type is, and what to write instead. */
function wrongType(
  expected: string,
  received: unknown,
  path: readonly PropertyKey[],
  owner: ParsedFile,
): string {
  const got = ` (got ${show(received)})`;
  const shape = schemaAt(environmentSchema, path);
  if (shape?.named && Array.isArray(received)) return listToMap(shape.named, received);
  if (received === null && schemaAt(environmentSchema, path.slice(0, -1))?.named) {
    return `has no fields; an entry needs them, and to switch off the one base.yaml defines write '${String(path.at(-1))}: { enabled: false }'`;
  }
  if (expected === "string" && (typeof received === "number" || typeof received === "boolean")) {
    const written = owner.scalar(path)?.source ?? String(received);
    if (typeof received === "number" && /^[+-]?0\d/.test(written)) {
      return `YAML reads ${written} as the number ${received}, dropping the leading zero: quote it, "${written}"`;
    }
    return `expected text, got the ${typeof received} ${written}: quote it, "${written}"`;
  }
  if ((expected === "object" || expected === "record") && typeof received === "string") {
    const colon = /^([A-Za-z_][\w.-]*):(\S.*)$/.exec(received);
    if (colon)
      return `expected keys under it, got the text "${received}": missing space after ':'? write '${colon[1]}: ${colon[2]}' on its own line below`;
  }
  const noun = expected === "record" ? "a map" : expected === "object" ? "a map of keys" : expected;
  return `expected ${noun}${got}`;
}

/** The old list shape of a map of named entries, with the new form of its first entry. */
function listToMap(info: NamedMapInfo, items: readonly unknown[]): string {
  const first = items.find(
    (i): i is Record<string, unknown> => typeof i === "object" && i !== null && !Array.isArray(i),
  );
  const field = info.listKeys.find((k) => typeof first?.[k] === "string");
  const prefix = `a map keyed by ${info.keyedBy} now, not a list`;
  if (!first) return `${prefix}: write each ${info.entry} as '<name>: { … }'`;
  const name = field ? String(first[field]) : `my-${info.entry.replace(/\W+/g, "-")}`;
  const rest = Object.fromEntries(Object.entries(first).filter(([k]) => k !== field));
  const flow = stringify(rest, { collectionStyle: "flow", lineWidth: 0 }).trim();
  const was = field ? `'- ${field}: ${name}'` : `'- ${Object.keys(first)[0]}: …'`;
  const entry =
    flow.length <= 60 ? `'${name}: ${flow}'` : `'${name}:' with its other fields indented under it`;
  return `${prefix}: write ${entry} in place of ${was}${field ? "" : ` (${name}: a name you choose)`}`;
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

type SchemaNode = { _zod: { def: Record<string, unknown> } };

/** A schema node without its defaults, optionals and pipes, and whether any layer is a map of named entries. */
function unwrap(schema: unknown): { node: SchemaNode; named?: NamedMapInfo } {
  let node = schema as SchemaNode;
  let named = namedMapInfo(node);
  for (;;) {
    const def = node._zod.def;
    if (["optional", "default", "nullable", "prefault", "readonly", "catch"].includes(def.type as string)) {
      node = def.innerType as SchemaNode;
    } else if (def.type === "pipe") node = def.in as SchemaNode;
    else break;
    named ??= namedMapInfo(node);
  }
  return { node, named };
}

/** The schema at a YAML path, unwrapped. */
function schemaAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
): { node: SchemaNode; named?: NamedMapInfo } | undefined {
  let current = unwrap(schema);
  for (const key of path) {
    const def = current.node._zod.def;
    const next =
      def.type === "object"
        ? (def.shape as Record<string, unknown>)[String(key)]
        : def.type === "array"
          ? def.element
          : def.type === "record"
            ? def.valueType
            : undefined;
    if (next === undefined) return undefined;
    current = unwrap(next);
  }
  return current;
}

/** The keys the schema allows at a path, for "did you mean" suggestions. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = schemaAt(schema, path)?.node._zod.def;
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
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
