/**
 * cdktf records a full stack trace for every token it creates, only to quote it if the token later fails
 * to resolve; that is a fifth of the time synthesis and validation take. cdktf is pinned to its final
 * release, so this private hook stays where it is.
 */
export function skipTokenCreationTraces(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const traces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace?: () => string[] };
  if (typeof traces.captureStackTrace === "function") traces.captureStackTrace = () => [];
}
