import { dottedPath } from "../../loader/diagnostics";
import type { Rule, Violation } from "../rule";

/** Credential formats with a recognisable shape. */
const KNOWN_FORMATS: readonly { what: string; pattern: RegExp }[] = [
  { what: "a Databricks personal access token", pattern: /\bdapi[0-9a-f]{32}(-\d+)?\b/ },
  { what: "a Databricks OAuth secret", pattern: /\bdose[0-9a-f]{32}\b/ },
  { what: "an AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "a GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { what: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
];
/** A key that holds a password whatever its value looks like. */
const PASSWORD_KEY = /(^|[_.-])(password|passwd|pwd)$/i;
/** A key whose value is a secret when it looks random. */
const SECRET_KEY = /secret|token|passw|api[_-]?key|private[_-]?key|credential/i;
const MIN_SECRET_LENGTH = 16;
const MIN_BITS_PER_CHAR = 3.5;

/** Shannon entropy of the characters, in bits per character: random keys score high, words low. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** What the value looks like, if it looks like a secret; never the value itself. */
export function secretKind(key: PropertyKey | undefined, value: string): string | undefined {
  const known = KNOWN_FORMATS.find((f) => f.pattern.test(value));
  if (known) return known.what;
  if (typeof key !== "string" || value.length === 0) return undefined;
  if (PASSWORD_KEY.test(key)) return `a password (key '${key}')`;
  if (SECRET_KEY.test(key) && value.length >= MIN_SECRET_LENGTH && entropy(value) >= MIN_BITS_PER_CHAR) {
    return `a random-looking secret (key '${key}')`;
  }
  return undefined;
}

function* values(value: unknown, path: PropertyKey[]): Generator<{ path: PropertyKey[]; text: string }> {
  if (typeof value === "string") yield { path, text: value };
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* values(item, [...path, i]);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* values(item, [...path, key]);
  }
}

/** What a comment holds that looks like a secret: a known format anywhere, or `key: value` pairs inside it. */
function commentSecretKind(text: string): string | undefined {
  const known = secretKind(undefined, text);
  if (known) return known;
  for (const [, key, value] of text.matchAll(/([\w.-]+)\s*[:=]\s*["']?([^\s"']+)/g)) {
    const kind = secretKind(key, value);
    if (kind) return kind;
  }
  return undefined;
}

export const noSecretsInYaml: Rule = {
  id: "LS-SEC-1",
  severity: "error",
  title:
    "No YAML value or comment looks like a credential: Databricks/AWS/GitHub/Slack tokens, private keys, values of password keys, random strings under secret/token keys.",
  why: "Config is committed and printed in plans, comments included; a secret there is a secret shared with everyone who can read either.",
  fix: "Remove it and rotate it; give credentials to Terraform through the environment (DATABRICKS_TOKEN, AWS profiles) or a secret store.",
  check: ({ environment }) => {
    const found: Violation[] = [];
    for (const { path, text } of values(environment.config, [])) {
      const kind = secretKind(path[path.length - 1], text);
      if (kind) found.push({ resource: dottedPath(path), message: `looks like ${kind}`, path });
    }
    for (const comment of environment.comments) {
      const kind = commentSecretKind(comment.text);
      const { file, line, col } = comment;
      if (kind)
        found.push({ resource: "comment", message: `looks like ${kind}`, position: { file, line, col } });
    }
    return found;
  },
};

export const SECRET_RULES: readonly Rule[] = [noSecretsInYaml];
