import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
// An independent zip reader (it comes with the cdktf CLI) checks the archive our writer makes.
import * as yauzl from "yauzl";
import { buildIngestLambda, packageIngestLambda } from "../../lambda/build";
import { REPO_ROOT } from "../../paths";
import {
  TEST_REGION,
  createStream,
  readAllEvents,
  sampleEvent,
  startKinesis,
  type LocalKinesis,
} from "./kinesis-helpers";

interface ZipListing {
  readonly name: string;
  readonly modified: Date;
  readonly mode: number;
  readonly method: number;
  readonly data: Buffer;
}

function readZip(zip: Buffer): Promise<ZipListing[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error ?? new Error("unreadable zip"));
      const entries: ZipListing[] = [];
      file.on("error", reject);
      file.on("end", () => resolve(entries));
      file.on("entry", (entry: yauzl.Entry) => {
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error("unreadable entry"));
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => {
            entries.push({
              name: entry.fileName,
              modified: entry.getLastModDate(),
              mode: entry.externalFileAttributes >>> 16,
              method: entry.compressionMethod,
              data: Buffer.concat(chunks),
            });
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

const STREAM = "bundled-handler";
let kinesis: LocalKinesis;

beforeAll(async () => {
  kinesis = await startKinesis();
  await createStream(kinesis.client, STREAM, 1);
});

afterAll(() => kinesis.close());

describe("buildIngestLambda", () => {
  it("returns the same cached zip each time, with the base64 SHA-256 Lambda expects", () => {
    const first = buildIngestLambda();
    const second = buildIngestLambda();
    expect(second).toEqual(first);
    expect(first.zipPath.startsWith(path.join(REPO_ROOT, "node_modules", ".cache", "lakestack"))).toBe(true);
    expect(first.codeSha256).toBe(
      createHash("sha256").update(fs.readFileSync(first.zipPath)).digest("base64"),
    );
  });

  it("builds a byte-identical zip from the same sources, equal to the cached one", () => {
    const cached = fs.readFileSync(buildIngestLambda().zipPath);
    const fresh = packageIngestLambda();
    expect(fresh.zip.equals(cached)).toBe(true);
    expect(fresh.inputs).toEqual(expect.arrayContaining(["lambda/ingest/handler.ts", "events/contract.ts"]));
  });

  it("holds only index.js, with fixed timestamp and mode, and no trace of this checkout's path", async () => {
    const entries = await readZip(fs.readFileSync(buildIngestLambda().zipPath));
    expect(entries.map(({ name, mode, method }) => ({ name, mode, method }))).toEqual([
      { name: "index.js", mode: 0o100644, method: 0 },
    ]);
    expect(entries[0].modified.getFullYear()).toBe(1980);
    expect(entries[0].data.toString("utf8")).not.toContain(REPO_ROOT);
  });

  it("runs on its own, outside the repository: the SDK is bundled in", async () => {
    const [entry] = await readZip(fs.readFileSync(buildIngestLambda().zipPath));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lakestack-lambda-"));
    try {
      fs.writeFileSync(path.join(dir, "index.js"), entry.data);
      const event = sampleEvent({ magnitude: 12 });
      const requests = [
        {
          headers: { "content-type": "application/json" },
          body: JSON.stringify(event),
          isBase64Encoded: false,
        },
        { headers: { "content-type": "text/plain" }, body: "{}", isBase64Encoded: false },
      ];
      const script = `
        const { handler } = require("./index.js");
        Promise.all(${JSON.stringify(requests)}.map((request) => handler(request)))
          .then((results) => process.stdout.write(JSON.stringify(results.map((result) => result.statusCode))));`;
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ["-e", script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          STREAM_NAME: STREAM,
          KINESIS_ENDPOINT: kinesis.endpoint,
          AWS_REGION: TEST_REGION,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
        },
        timeout: 15_000,
      });
      // stdout holds the status codes; stderr the handler's warnings, one JSON line each (beside Node's own).
      expect(JSON.parse(stdout)).toEqual([200, 415]);
      expect(
        stderr
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual([expect.objectContaining({ message: "request refused", statusCode: 415 })]);
      expect(await readAllEvents(kinesis.client, STREAM)).toEqual([
        { partitionKey: event.device, event: { ...event, received_at: expect.any(String) } },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
