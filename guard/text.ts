/**
 * Escaping for text that came from the plan (addresses, for_each keys, path steps). A key such as
 * `a|b` or one holding a terminal escape must not break a table or rewrite the reader's screen.
 */

// C0 controls, DEL and C1 controls: newlines, ANSI escapes, bells.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Safe for a terminal line: control characters become spaces. */
export function plainText(text: string): string {
  return text.replace(CONTROL_CHARACTERS, " ");
}

/** A Markdown code span that survives inside a GitHub table cell. */
export function markdownCode(text: string): string {
  const flat = plainText(text).replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Markdown text for a table cell or heading, with the characters that format inline escaped. */
export function markdownText(text: string): string {
  return plainText(text).replace(/[\\`*_[\]<>|~&]/g, "\\$&");
}
