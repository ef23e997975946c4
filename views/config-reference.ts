/**
 * The configuration reference in docs/configuration.md, generated from the editor JSON Schema (itself
 * generated from the zod schema), so field names, defaults, limits and descriptions cannot drift.
 */
import { editorJsonSchema } from "../loader/schema";
import type { MarkedBlock } from "./markers";

export const CONFIG_REFERENCE_MARKERS: MarkedBlock = {
  start: "<!-- config-reference:start -->",
  end: "<!-- config-reference:end -->",
};

/** The part of JSON Schema draft-07 that zod emits for lakestack's schema. */
interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

interface Row {
  readonly key: string;
  readonly type: string;
  readonly fallback: string;
  readonly description: string;
}

/** Markdown: one table per top-level section, every field with its type, default and meaning. */
export function configReference(): string {
  const root = editorJsonSchema() as JsonSchema;
  const scalars: Row[] = [];
  const sections: string[] = [];
  for (const [key, node] of Object.entries(root.properties ?? {})) {
    const rows = rowsOf(key, node);
    if (isSection(node)) {
      const intro = node.description ? `${node.description}\n\n` : "";
      sections.push(`### \`${key}\`\n\n${intro}${table(rows.slice(1))}`);
    } else scalars.push(...rows);
  }
  return `${[`### Top level\n\n${table(scalars)}`, ...sections].join("\n\n")}\n`;
}

/** A map or list of named entries gets a section of its own, like any object. */
function isSection(node: JsonSchema): boolean {
  const entry =
    node.items ?? (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
  return Boolean(node.properties) || Boolean(entry?.properties);
}

function rowsOf(key: string, node: JsonSchema): Row[] {
  const own: Row = { key, type: typeOf(node), fallback: fallbackOf(node), description: describe(node) };
  if (node.properties) {
    return [own, ...Object.entries(node.properties).flatMap(([k, child]) => rowsOf(`${key}.${k}`, child))];
  }
  if (node.items?.properties) return [own, ...rowsOf(`${key}[]`, node.items).slice(1)];
  if (typeof node.additionalProperties === "object" && node.additionalProperties.properties) {
    return [own, ...rowsOf(`${key}.<name>`, node.additionalProperties).slice(1)];
  }
  return [own];
}

function typeOf(node: JsonSchema): string {
  const choices =
    node.enum ??
    (node.anyOf?.every((n) => n.const !== undefined) ? node.anyOf.map((n) => n.const) : undefined);
  if (choices) return choices.map((c) => `\`${String(c)}\``).join(", ");
  if (node.anyOf ?? node.oneOf) return (node.anyOf ?? node.oneOf)!.map(typeOf).join(" or ");
  if (node.type === "array") return `list of ${node.items ? plural(typeOf(node.items)) : "values"}`;
  if (node.type === "object") {
    if (node.properties) return "map";
    const value = typeof node.additionalProperties === "object" ? node.additionalProperties : undefined;
    return value?.properties ? "map of named entries" : `map of ${value ? plural(typeOf(value)) : "values"}`;
  }
  return Array.isArray(node.type) ? node.type.join(" or ") : (node.type ?? "any");
}

function plural(type: string): string {
  return /^(string|integer|number|boolean|map)$/.test(type) ? `${type}s` : type;
}

function fallbackOf(node: JsonSchema): string {
  if (node.default === undefined) return "";
  if (typeof node.default === "object" && node.default !== null) {
    return Object.keys(node.default).length === 0 ? `\`${JSON.stringify(node.default)}\`` : "";
  }
  return `\`${String(node.default)}\``;
}

function describe(node: JsonSchema): string {
  const limits: string[] = [];
  const low = node.minimum ?? node.exclusiveMinimum;
  const lowWord = node.exclusiveMinimum !== undefined ? "above" : "";
  if (low !== undefined && node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER) {
    limits.push(lowWord ? `above ${low}, at most ${node.maximum}` : `${low}–${node.maximum}`);
  } else if (low !== undefined) limits.push(lowWord ? `above ${low}` : `at least ${low}`);
  else if (node.maximum !== undefined) limits.push(`at most ${node.maximum}`);
  if (node.maxLength !== undefined) limits.push(`at most ${node.maxLength} characters`);
  if (node.minItems !== undefined && node.minItems > 0) limits.push(`at least ${node.minItems} item(s)`);
  if (node.maxItems !== undefined) limits.push(`at most ${node.maxItems} item(s)`);
  const text = node.description ?? "";
  return limits.length ? `${text}${text ? " " : ""}(${limits.join("; ")})` : text;
}

/** Table cells: pipes escaped, and `<…>` placeholders kept from reading as HTML. */
function cell(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[<>*]/g, (c) => `\\${c}`)))
    .join("")
    .replace(/\|/g, "\\|");
}

function table(rows: readonly Row[]): string {
  return [
    "| Key | Type | Default | Description |",
    "|---|---|---|---|",
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.fallback)} | ${cell(r.description)} |`),
  ].join("\n");
}
