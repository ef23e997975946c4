import { readFileSync, writeFileSync } from "node:fs";

/**
 * Generated blocks inside hand-written Markdown, fenced by HTML comments such as
 * `<!-- diagram:prod:start -->` … `<!-- diagram:prod:end -->`.
 */

export interface MarkedBlock {
  readonly start: string;
  readonly end: string;
}

export function diagramMarkers(env: string): MarkedBlock {
  return { start: `<!-- diagram:${env}:start -->`, end: `<!-- diagram:${env}:end -->` };
}

/** A fenced code block, as it appears between the markers. */
export function fencedBlock(language: string, body: string): string {
  return `\`\`\`${language}\n${body.endsWith("\n") ? body : `${body}\n`}\`\`\``;
}

export class MarkerError extends Error {}

function bounds(text: string, markers: MarkedBlock): { from: number; to: number } {
  const start = text.indexOf(markers.start);
  if (start < 0) throw new MarkerError(`no ${markers.start} marker`);
  const from = start + markers.start.length;
  const to = text.indexOf(markers.end, from);
  if (to < 0) throw new MarkerError(`no ${markers.end} marker after ${markers.start}`);
  return { from, to };
}

/** What lies between the markers, without the surrounding blank lines. */
export function readMarkedBlock(text: string, markers: MarkedBlock): string {
  const { from, to } = bounds(text, markers);
  return text.slice(from, to).trim();
}

/** The text with the block between the markers replaced; the markers stay, blank lines around it as Prettier keeps them. */
export function replaceMarkedBlock(text: string, markers: MarkedBlock, content: string): string {
  const { from, to } = bounds(text, markers);
  return `${text.slice(0, from)}\n\n${content.trim()}\n\n${text.slice(to)}`;
}

/** Replaces the block between the markers in a Markdown file; says whether anything changed. */
export function writeMarkedBlock(file: string, markers: MarkedBlock, content: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new MarkerError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  let updated: string;
  try {
    updated = replaceMarkedBlock(text, markers, content);
  } catch (error) {
    if (error instanceof MarkerError) throw new MarkerError(`${file} has ${error.message}`);
    throw error;
  }
  if (updated === text) return false;
  writeFileSync(file, updated);
  return true;
}
