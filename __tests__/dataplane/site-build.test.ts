import * as fs from "node:fs";
import * as path from "node:path";
import { buildSite } from "../../web/build";

describe("buildSite", () => {
  const site = buildSite();
  const byKey = new Map(site.files.map((file) => [file.key, file]));

  it("lists index.html (revalidated) and content-hashed assets (kept a year), each with its content type", () => {
    expect(
      site.files.map(({ key, contentType, cacheControl }) => ({ key, contentType, cacheControl })),
    ).toEqual([
      {
        key: expect.stringMatching(/^assets\/main-[A-Z0-9]{8}\.js$/),
        contentType: "text/javascript; charset=utf-8",
        cacheControl: "public, max-age=31536000, immutable",
      },
      {
        key: expect.stringMatching(/^assets\/styles-[A-Z0-9]{8}\.css$/),
        contentType: "text/css; charset=utf-8",
        cacheControl: "public, max-age=31536000, immutable",
      },
      { key: "index.html", contentType: "text/html; charset=utf-8", cacheControl: "no-cache" },
    ]);
    for (const file of site.files) {
      expect(file.path).toBe(path.join(site.dir, file.key));
      expect(fs.statSync(file.path).isFile()).toBe(true);
    }
    expect(byKey.has("config.json")).toBe(false);
  });

  it("points index.html at the hashed assets, with no inline script and a restrictive CSP", () => {
    const html = fs.readFileSync(path.join(site.dir, "index.html"), "utf8");
    const [script, styles] = site.files
      .filter((file) => file.key.startsWith("assets/"))
      .map((file) => file.key);
    expect(html).toContain(`<script defer src="${script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${styles}" />`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).toMatch(/Content-Security-Policy"\s+content="default-src 'none'; script-src 'self';/);
    // Each deploy lists its exact endpoints; the build itself allows no origin but its own.
    expect(html).toContain("connect-src 'self' __CONNECT_SOURCES__;");
    expect(html).not.toMatch(/connect-src[^;]*(https:|http:)/);
  });

  it("keeps the page script small: no AWS SDK inside", () => {
    const script = site.files.find((file) => file.key.endsWith(".js"));
    const code = fs.readFileSync(script?.path ?? "", "utf8");
    expect(code.length).toBeLessThan(40 * 1024);
    expect(code).not.toMatch(/@aws-sdk|@smithy/);
  });

  it("is the same build when asked again", () => {
    expect(buildSite()).toEqual(site);
  });
});
