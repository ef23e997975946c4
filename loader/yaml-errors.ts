/**
 * YAML syntax errors in plain words, at the line the user must change. The parser reports some mistakes
 * in its own terms, or where it noticed them rather than where they were made: an unclosed quote at the
 * end of the file, a key indented one space too far on the line above it. This reads the source around
 * each error to say what is wrong and where.
 */
import { LineCounter, Parser, type CST, type YAMLError } from "yaml";

export interface SyntaxProblem {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/**
 * The first syntax mistake of a file in plain words. Only the first: after a mistake the parser reads the
 * rest of the file differently, and what it reports next is mostly that mistake's echo.
 */
export function explainSyntaxErrors(
  source: string,
  errors: readonly YAMLError[],
  lineCounter: LineCounter,
  tokens: readonly CST.Token[] = [...new Parser().parse(source)],
): SyntaxProblem[] {
  if (errors.length === 0) return [];
  const lines = source.split("\n");
  const pos = (offset: number) => lineCounter.linePos(offset);
  // An unclosed quote or bracket swallows the rest of the file: every later error is its echo.
  const unclosed = findUnclosed(tokens);
  if (unclosed) {
    const { line, col } = pos(unclosed.offset);
    return [{ line, col, message: unclosed.message }];
  }
  const first = [...errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  const { line, col } = pos(first.pos[0]);
  return [explain(first, line, col, lines)];
}

function explain(error: YAMLError, line: number, col: number, lines: readonly string[]): SyntaxProblem {
  const text = lines[line - 1] ?? "";
  const at = (l: number, c: number, message: string): SyntaxProblem => ({ line: l, col: c, message });
  switch (error.code) {
    case "MULTIPLE_DOCS":
      return at(
        line,
        col,
        "a second YAML document starts here: a lakestack file holds one document, so remove this '---' and merge what follows into the first",
      );
    case "TAB_AS_INDENT":
      return at(
        line,
        1,
        "a tab indents this line; YAML indents with spaces only: replace the tab with spaces",
      );
    case "DUPLICATE_KEY": {
      const key = keyOf(text);
      const first = key === undefined ? undefined : earlierSibling(lines, line, key);
      return at(
        line,
        col,
        key === undefined
          ? "a key appears twice in the same mapping: keep one"
          : `duplicate key '${key}'${first ? ` (already set on line ${first})` : ""}: each key may appear once in a mapping, so keep one`,
      );
    }
    case "BAD_INDENT":
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN": {
      const colon = missingSpace(text);
      if (colon !== undefined) {
        const key = text.slice(0, colon).trim().replace(/^-\s+/, "");
        const value = text.slice(colon + 1).trim();
        return at(line, colon + 2, `missing space after ':' in '${key}:${value}': write '${key}: ${value}'`);
      }
      if (error.code === "BAD_INDENT" && /mapping items must start at the same column/.test(error.message)) {
        return at(line, 1, misaligned(lines, line));
      }
      const deeper = overIndented(lines, line);
      if (deeper) return at(deeper.line, deeper.col, deeper.message);
      break;
    }
  }
  const first = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  return at(line, col, `YAML cannot read this: ${first}`);
}

/** The column (0-based) of a `key:value` colon with no space after it, on a line that is only that. */
function missingSpace(text: string): number | undefined {
  const match = /^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):(?![\s/]|$)(\S.*)$/.exec(text);
  if (!match || match[3].includes(": ")) return undefined;
  return match[1].length + match[2].length;
}

const spaces = (n: number) => `${n} space${n === 1 ? "" : "s"}`;
const indentOf = (text: string) => text.length - text.trimStart().length;
const isContent = (text: string) => text.trim() !== "" && !text.trim().startsWith("#");

/** The key a line sets, e.g. `region` for `  region: eu-west-1` or `- region: x`. */
function keyOf(text: string): string | undefined {
  return /^\s*(?:-\s+)?(["']?)([^"':#]+?)\1\s*:(\s|$)/.exec(text)?.[2];
}

/** The line where the same key was set before in the same mapping (same indentation, no shallower line between). */
function earlierSibling(lines: readonly string[], line: number, key: string): number | undefined {
  const indent = indentOf(lines[line - 1]);
  for (let i = line - 2; i >= 0; i--) {
    if (!isContent(lines[i])) continue;
    const own = indentOf(lines[i]);
    if (own < indent) return undefined;
    if (own === indent && keyOf(lines[i]) === key) return i + 1;
  }
  return undefined;
}

/**
 * A line indented deeper than the key above it, when that key already has a value: YAML cannot nest under
 * it, and the parser reports the line above. Looks at the first content line after the reported one.
 */
function overIndented(
  lines: readonly string[],
  line: number,
): { line: number; col: number; message: string } | undefined {
  const above = lines[line - 1] ?? "";
  const key = keyOf(above);
  const value = key === undefined ? "" : above.slice(above.indexOf(":") + 1).trim();
  if (key === undefined || value === "" || value.startsWith("#") || /^[|>&!]/.test(value)) return undefined;
  for (let i = line; i < lines.length; i++) {
    if (!isContent(lines[i])) continue;
    const indent = indentOf(lines[i]);
    if (indent <= indentOf(above)) return undefined;
    const name = keyOf(lines[i]) ?? lines[i].trim();
    return {
      line: i + 1,
      col: indent + 1,
      message:
        `'${name}' is indented ${spaces(indent)}, deeper than '${key}' on line ${line}, which already has a value: ` +
        `line it up with '${key}' (${spaces(indentOf(above))})`,
    };
  }
  return undefined;
}

/** A line whose indentation lines up with no key above it: say which indentations would. */
function misaligned(lines: readonly string[], line: number): string {
  const indent = indentOf(lines[line - 1]);
  const options: string[] = [];
  let limit = Infinity;
  for (let i = line - 2; i >= 0 && options.length < 2; i--) {
    if (!isContent(lines[i])) continue;
    const own = indentOf(lines[i]);
    if (own >= limit) continue;
    limit = own;
    const key = keyOf(lines[i]);
    if (key !== undefined && own !== indent) options.push(`${own} to line up with '${key}' (line ${i + 1})`);
  }
  const fix = options.length ? `: indent ${options.join(", or ")}` : "";
  return `this line is indented ${spaces(indent)}, which lines up with no key above it${fix}`;
}

/** The first quote or flow bracket that is never closed, with where it opens. */
function findUnclosed(tokens: readonly CST.Token[]): { offset: number; message: string } | undefined {
  let found: { offset: number; message: string } | undefined;
  walkTokens(tokens, (node) => {
    if (found) return true;
    const token = node as {
      type?: string;
      offset?: number;
      source?: string;
      start?: { source?: string };
      end?: { type?: string }[];
    };
    if (token.type === "double-quoted-scalar" && !closedDouble(token.source ?? "")) {
      found = {
        offset: token.offset!,
        message: 'the quote opened here is never closed: add the closing " where the value ends',
      };
    } else if (token.type === "single-quoted-scalar" && !closedSingle(token.source ?? "")) {
      found = {
        offset: token.offset!,
        message: "the quote opened here is never closed: add the closing ' where the value ends",
      };
    } else if (
      token.type === "flow-collection" &&
      !token.end?.some((e) => e.type === "flow-seq-end" || e.type === "flow-map-end")
    ) {
      const open = token.start?.source ?? "[";
      found = {
        offset: token.offset!,
        message: `the '${open}' opened here is never closed: add '${open === "{" ? "}" : "]"}' where it ends`,
      };
    }
    return false;
  });
  return found;
}

/**
 * Visits every token of a parsed file and the tokens inside it, depth first in source order; `visit`
 * returns true to skip what is inside a token.
 */
export function walkTokens(node: unknown, visit: (token: object) => boolean): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) walkTokens(item, visit);
    return;
  }
  if (visit(node)) return;
  for (const value of Object.values(node)) walkTokens(value, visit);
}

function closedDouble(text: string): boolean {
  if (text.length < 2 || !text.endsWith('"')) return false;
  let backslashes = 0;
  for (let i = text.length - 2; i >= 1 && text[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 0;
}

function closedSingle(text: string): boolean {
  const inner = text.slice(1).replace(/''/g, "");
  return text.length >= 2 && inner.endsWith("'");
}
