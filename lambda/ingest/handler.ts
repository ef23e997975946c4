import { createIngestHandler } from "./ingest";
import { createKinesisClient } from "./kinesis-client";
import { readIngestSettings } from "./settings";

// Module scope: read once per container, and one client (with its kept-alive sockets) for every request.
const settings = readIngestSettings(process.env);
const client = createKinesisClient({ endpoint: settings.kinesisEndpoint });

/** Lambda entry point (`index.handler` in the deployed zip) for the HTTP API route `POST /events`. */
export const handler = createIngestHandler({ client, settings });
