/** A problem found in a config file, with the position a person can jump to. */
export interface Diagnostic {
  /** Path of the YAML file, relative to the working directory. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
  /** Dotted path of the YAML field, e.g. `stream.retention_hours`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  /** `info`: a finding a waiver acknowledged, reported but never failing. @default "error" */
  readonly severity?: "error" | "warning" | "info";
  /** Rule id for policy findings, e.g. `LS-S3-1`. */
  readonly rule?: string;
}

export function isError(d: Diagnostic): boolean {
  return (d.severity ?? "error") === "error";
}

/** Thrown when input is invalid: carries every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "ConfigError";
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const tag = [d.severity === "warning" || d.severity === "info" ? d.severity : undefined, d.rule]
    .filter(Boolean)
    .join(" ");
  return `${where}: ${tag ? `${tag}: ` : ""}${d.path ? `${d.path}: ` : ""}${d.message}`;
}

export function dottedPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .reduce((acc, p) => {
      if (p.startsWith("[")) return acc + p;
      return acc ? `${acc}.${p}` : p;
    }, "");
}

/** The closest candidate by edit distance, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
