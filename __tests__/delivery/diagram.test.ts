import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  architectureGraph,
  mermaidText,
  PIPELINE_DATASETS,
  QUARANTINE_DATASETS,
  renderDiagram,
  renderDot,
  renderMermaid,
  type ArchitectureGraph,
} from "../../views/diagram";
import { diagramMarkers, fencedBlock, readMarkedBlock } from "../../views/markers";
import { referenceEnvironment, ROOT, variantEnvironment } from "./support";

const nodeIds = (graph: ArchitectureGraph) => graph.groups.flatMap((g) => g.nodes.map((n) => n.id));
const labelOf = (graph: ArchitectureGraph, id: string) =>
  graph.groups
    .flatMap((g) => g.nodes)
    .find((n) => n.id === id)
    ?.lines.join(" / ");
const edgeKeys = (graph: ArchitectureGraph) => graph.edges.map((e) => `${e.from}->${e.to}`);

describe("the production diagram", () => {
  const prod = referenceEnvironment("prod");
  const graph = architectureGraph(prod);

  it("draws every capability prod enables, labelled with the names lakestack derives", () => {
    expect(nodeIds(graph)).toEqual(
      expect.arrayContaining([
        "phones",
        "site",
        "cognito",
        "devices",
        "api",
        "lambda",
        "stream",
        "lake",
        "pipeline",
        "tables",
        "warehouse",
        "share",
      ]),
    );
    const { names } = prod;
    expect(labelOf(graph, "site")).toContain(names.siteBucket);
    expect(labelOf(graph, "cognito")).toContain(names.identityPool);
    expect(labelOf(graph, "api")).toContain(names.ingestApi);
    expect(labelOf(graph, "lambda")).toContain(names.ingestFunction);
    expect(labelOf(graph, "stream")).toContain(names.stream);
    expect(labelOf(graph, "lake")).toContain(names.lakeBucket);
    expect(labelOf(graph, "pipeline")).toContain(names.pipeline);
    expect(labelOf(graph, "tables")).toContain(`${names.catalog}.${names.schema}`);
    expect(labelOf(graph, "warehouse")).toContain(names.warehouse);
    expect(labelOf(graph, "share")).toContain(names.share);
  });

  it("has one node per job and per share recipient, named as deployed", () => {
    const labels = graph.groups.flatMap((g) => g.nodes).map((n) => n.lines.join(" "));
    for (const key of Object.keys(prod.config.jobs))
      expect(labels.some((l) => l.includes(prod.names.job(key)))).toBe(true);
    const recipients = graph.groups.find((g) => g.id === "recipients")?.nodes ?? [];
    expect(recipients.map((n) => n.lines[1])).toEqual(Object.keys(prod.config.sharing.recipients));
  });

  it("follows events from phones and devices through Kinesis and the pipeline to the share's recipients", () => {
    expect(edgeKeys(graph)).toEqual(
      expect.arrayContaining([
        "phones->cdn",
        "cdn->site",
        "site->cognito",
        "site->stream",
        "devices->api",
        "api->lambda",
        "lambda->stream",
        "stream->pipeline",
        "pipeline->tables",
        "tables->warehouse",
        "tables->share",
        "share->recipient_0",
      ]),
    );
    const ids = new Set(nodeIds(graph));
    for (const edge of graph.edges) {
      expect(ids.has(edge.from)).toBe(true);
      expect(ids.has(edge.to)).toBe(true);
    }
  });

  it("lists the datasets the pipeline notebook publishes", () => {
    const notebook = readFileSync(join(ROOT, "notebooks", "events_pipeline.py"), "utf8");
    const published = [...notebook.matchAll(/@dlt\.(?:table|view)\(\s*name="(\w+)"/g)].map((m) => m[1]);
    expect(PIPELINE_DATASETS.map((d) => d.replace(" (view)", ""))).toEqual(published);
    // The quarantine's datasets are named by the quarantine schema the stack passes in.
    const quarantined = [...notebook.matchAll(/= f"\{QUARANTINE_SCHEMA\}\.(\w+)"/g)].map((m) => m[1]);
    expect([...QUARANTINE_DATASETS]).toEqual(quarantined);
  });
});

describe("a diagram draws only what the YAML enables", () => {
  it("drops the page and Cognito when browser_ingest is disabled", () => {
    const graph = architectureGraph(variantEnvironment("prod", [[["browser_ingest", "enabled"], false]]));
    for (const gone of ["phones", "cdn", "site", "cognito"]) {
      expect(nodeIds(graph)).not.toContain(gone);
      expect(graph.edges.some((e) => e.from === gone || e.to === gone)).toBe(false);
    }
    expect(nodeIds(graph)).toEqual(expect.arrayContaining(["devices", "api", "lambda", "stream"]));
  });

  it("draws the page posting to the HTTP API, with no Cognito, when browser_ingest.transport is http", () => {
    const graph = architectureGraph(variantEnvironment("prod", [[["browser_ingest", "transport"], "http"]]));
    expect(nodeIds(graph)).not.toContain("cognito");
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ from: "site", to: "api", label: "POST /events" }),
    );
    expect(graph.edges.some((e) => e.from === "site" && e.to === "stream")).toBe(false);
  });

  it("drops the HTTP API and Lambda when http_ingest is disabled", () => {
    const graph = architectureGraph(variantEnvironment("prod", [[["http_ingest", "enabled"], false]]));
    for (const gone of ["devices", "api", "lambda"]) expect(nodeIds(graph)).not.toContain(gone);
    expect(nodeIds(graph)).toEqual(expect.arrayContaining(["phones", "site", "stream"]));
  });

  it("drops the client group entirely when neither ingest path is enabled", () => {
    const graph = architectureGraph(
      variantEnvironment("prod", [
        [["browser_ingest", "enabled"], false],
        [["http_ingest", "enabled"], false],
      ]),
    );
    expect(graph.groups.map((g) => g.id)).not.toContain("clients");
    expect(renderMermaid(graph)).not.toContain("subgraph clients");
  });

  it("drops the share and its recipients when sharing is disabled, and the warehouse when it is", () => {
    const graph = architectureGraph(
      variantEnvironment("prod", [
        [["sharing", "enabled"], false],
        [["warehouse", "enabled"], false],
      ]),
    );
    expect(nodeIds(graph)).not.toContain("share");
    expect(nodeIds(graph)).not.toContain("warehouse");
    expect(graph.groups.map((g) => g.id)).not.toContain("recipients");
  });
});

describe("Mermaid text that GitHub renders", () => {
  const mermaid = renderDiagram(referenceEnvironment("prod"), "mermaid");

  it("uses only quoted labels in the statement forms GitHub's Mermaid parses", () => {
    const forms = [
      /^flowchart LR$/,
      /^ {2}subgraph [a-z_]+ \["[^"]*"\]$/,
      /^ {4}[a-z][a-z0-9_]*(\(\["[^"]*"\]\)|\[\("[^"]*"\)\]|\["[^"]*"\])$/,
      /^ {2}end$/,
      /^ {2}[a-z][a-z0-9_]* (-->|-\.->)\|"[^"]*"\| [a-z][a-z0-9_]*$/,
    ];
    for (const line of mermaid.trimEnd().split("\n")) {
      expect(forms.some((form) => form.test(line)) ? line : `unparseable: ${line}`).toBe(line);
    }
  });

  it("never names a node with a Mermaid keyword", () => {
    const ids = [...mermaid.matchAll(/^ {4}([a-z0-9_]+)[[(]/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(10);
    for (const keyword of ["end", "subgraph", "graph", "flowchart", "style", "class", "click"]) {
      expect(ids).not.toContain(keyword);
    }
  });

  it("escapes characters that would end a label or start markup", () => {
    const escaped = mermaidText('a "quoted" <b>tag</b> #1 | `code` & more\nline');
    expect(escaped).not.toMatch(/["<>|`\n]/);
    expect(escaped).toBe("a #34;quoted#34; #60;b#62;tag#60;/b#62; #35;1 #124; #96;code#96; #38; more line");
  });
});

describe("DOT output", () => {
  it("has the same nodes and edges, with quotes and backslashes escaped", () => {
    const graph = architectureGraph(referenceEnvironment("dev"));
    const dot = renderDot(graph);
    expect(dot.startsWith('digraph "lakestack dev" {')).toBe(true);
    expect(dot.match(/ -> /g)).toHaveLength(graph.edges.length);
    for (const id of nodeIds(graph)) expect(dot).toMatch(new RegExp(`^ {4}${id} \\[label="`, "m"));
    const odd = renderDot({
      title: 'a "b" \\ c',
      groups: [{ id: "g", title: "t", nodes: [{ id: "n", lines: ['x"y', "z\\w"], shape: "store" }] }],
      edges: [],
    });
    expect(odd).toContain('digraph "a \\"b\\" \\\\ c"');
    expect(odd).toContain('n [label="x\\"y\\nz\\\\w", shape=cylinder];');
  });
});

describe("the README's production diagram", () => {
  it("matches config/prod.yaml (regenerate with `lakestack diagram --env prod --write README.md`)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const expected = fencedBlock("mermaid", renderDiagram(referenceEnvironment("prod"), "mermaid"));
    expect(readMarkedBlock(readme, diagramMarkers("prod"))).toBe(expected);
  });
});
