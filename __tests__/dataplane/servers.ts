import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpApiResult } from "../../lambda/ingest/ingest";
import type { HttpApiRequest } from "../../lambda/ingest/request";

export interface LocalServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves on 127.0.0.1 and an ephemeral port. */
export async function listen(
  handle: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void | Promise<void>,
): Promise<LocalServer> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      Promise.resolve(handle(request, Buffer.concat(chunks), response)).catch((error: unknown) => {
        response.writeHead(500, { "content-type": "text/plain" });
        response.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Lets a page on another origin call the server, as API Gateway's CORS settings would. */
export function allowCors(request: IncomingMessage, response: ServerResponse): boolean {
  response.setHeader("access-control-allow-origin", "*");
  if (request.method !== "OPTIONS") return false;
  response.writeHead(204, {
    "access-control-allow-methods": "POST",
    "access-control-allow-headers": request.headers["access-control-request-headers"] ?? "content-type",
    "access-control-max-age": "600",
  });
  response.end();
  return true;
}

/** An HTTP endpoint in front of an ingest handler, standing in for API Gateway (payload format 2.0). */
export function startIngestServer(
  handle: (request: HttpApiRequest) => Promise<HttpApiResult>,
): Promise<LocalServer> {
  return listen(async (request, body, response) => {
    if (allowCors(request, response)) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string") headers[name] = value;
    }
    const result = await handle({ headers, body: body.toString("utf8"), isBase64Encoded: false });
    response.writeHead(result.statusCode, result.headers);
    response.end(result.body);
  });
}
