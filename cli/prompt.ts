/** Questions for the person at the terminal, for the commands that change infrastructure. */
import { createInterface } from "node:readline/promises";

/** Asks one question and resolves with the answer; absent when nobody can answer (CI, pipes). */
export type Ask = (question: string) => Promise<string>;

/** The terminal's question, when stdin and stderr are a terminal; the question goes to stderr. */
export function terminalAsk(): Ask | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await terminal.question(question);
    } finally {
      terminal.close();
    }
  };
}
