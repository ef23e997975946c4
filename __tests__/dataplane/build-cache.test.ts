import * as fs from "node:fs";
import * as path from "node:path";
import { cachedBuild } from "../../lambda/build-cache";
import { REPO_ROOT } from "../../paths";

// A scratch input inside the repository, since cached inputs are repo-relative paths.
const scratchDir = path.join("node_modules", ".cache", `lakestack-build-cache-test-${process.pid}`);
const inputPath = path.join(scratchDir, "input.txt");
const name = `build-cache-test-${process.pid}`;

beforeAll(() => fs.mkdirSync(path.join(REPO_ROOT, scratchDir), { recursive: true }));
afterAll(() => {
  fs.rmSync(path.join(REPO_ROOT, scratchDir), { recursive: true, force: true });
  fs.rmSync(path.join(REPO_ROOT, "node_modules", ".cache", "lakestack", name), {
    recursive: true,
    force: true,
  });
});

/** A cached build writing one small file, counting how often it really builds. */
function countedBuild(salt: string, inputs: string[] = []) {
  const counted = {
    builds: 0,
    build: () =>
      cachedBuild({
        name,
        fixedInputs: [inputPath],
        salt,
        build: (dir) => {
          counted.builds += 1;
          fs.writeFileSync(path.join(dir, "out.txt"), "x");
          return { inputs, result: null };
        },
      }),
  };
  return counted;
}

describe("cachedBuild", () => {
  it("builds once per distinct input and salt, and rebuilds when either changes", () => {
    let builds = 0;
    const build = (salt: string) =>
      cachedBuild({
        name,
        fixedInputs: [inputPath],
        salt,
        build: (dir) => {
          builds += 1;
          const text = fs.readFileSync(path.join(REPO_ROOT, inputPath), "utf8");
          fs.writeFileSync(path.join(dir, "out.txt"), text.toUpperCase());
          // A package input is identified by its lockfile entry, not its files.
          return { inputs: ["node_modules/esbuild/lib/main.js"], result: { length: text.length } };
        },
      });
    const output = (dir: string) => fs.readFileSync(path.join(dir, "out.txt"), "utf8");

    fs.writeFileSync(path.join(REPO_ROOT, inputPath), "first");
    const first = build("a");
    expect(build("a")).toEqual(first);
    expect(builds).toBe(1);
    expect(output(first.dir)).toBe("FIRST");

    fs.writeFileSync(path.join(REPO_ROOT, inputPath), "second!");
    const second = build("a");
    expect(builds).toBe(2);
    expect(second.result).toEqual({ length: 7 });
    expect(output(second.dir)).toBe("SECOND!");

    build("b");
    expect(builds).toBe(3);

    const manifest = JSON.parse(
      fs.readFileSync(
        path.join(REPO_ROOT, "node_modules", ".cache", "lakestack", name, "manifest.json"),
        "utf8",
      ),
    ) as { fingerprint: Record<string, string> };
    // The scratch input sits in node_modules but in no locked package, so its contents identify it.
    expect(Object.keys(manifest.fingerprint).sort()).toEqual(
      [inputPath.split(path.sep).join("/"), "node_modules/esbuild"].sort(),
    );
    expect(manifest.fingerprint["node_modules/esbuild"]).toMatch(/^\d+\.\d+\.\d+ sha512-/);
  });

  it("consults package-lock.json for packages only when it changed since the fingerprint", () => {
    const counted = countedBuild("lockfile", ["node_modules/esbuild/lib/main.js"]);
    const manifestPath = path.join(REPO_ROOT, "node_modules", ".cache", "lakestack", name, "manifest.json");
    const edit = (change: (manifest: Record<string, any>) => void) => {
      const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Record<string, any>;
      change(manifest);
      fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    };
    counted.build();
    // A package identity the lockfile no longer has goes unnoticed while the lockfile is as it was …
    edit((manifest) => (manifest.fingerprint["node_modules/esbuild"] = "0.0.1 sha512-stale"));
    counted.build();
    expect(counted.builds).toBe(1);
    // … and is found once it is not.
    edit((manifest) => (manifest.lockfile = "an older lockfile"));
    counted.build();
    expect(counted.builds).toBe(2);
    // A manifest taken before the lockfile was recorded is stamped on its next hit.
    edit((manifest) => delete manifest.lockfile);
    counted.build();
    const stamped = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as { lockfile?: string };
    expect(counted.builds).toBe(2);
    expect(stamped.lockfile).toMatch(/^[\d.]+:\d+$/);
  });

  it("rebuilds when the artifact directory has gone", () => {
    const counted = countedBuild("gone");
    const { dir } = counted.build();
    fs.rmSync(dir, { recursive: true });
    expect(counted.build().dir).toBe(dir);
    expect(counted.builds).toBe(2);
    expect(fs.existsSync(path.join(dir, "out.txt"))).toBe(true);
  });
});
