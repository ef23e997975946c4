/**
 * An environment's architecture as a flowchart, built from its resolved config: only what the YAML
 * enables, labelled with the names lakestack derives. Pure functions: config in, text out.
 */
import type { Environment } from "../loader/load";

export type DiagramFormat = "mermaid" | "dot";
export const DIAGRAM_FORMATS: readonly DiagramFormat[] = ["mermaid", "dot"];

/** How a node is drawn: people and devices, managed services, or places data rests. */
export type NodeShape = "actor" | "service" | "store";

export interface DiagramNode {
  readonly id: string;
  /** Label lines, first the kind of thing, then its real name. */
  readonly lines: readonly string[];
  readonly shape: NodeShape;
}

export interface DiagramGroup {
  readonly id: string;
  readonly title: string;
  readonly nodes: readonly DiagramNode[];
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** A relation rather than a flow of events, e.g. where tables are stored. @default false */
  readonly dashed?: boolean;
}

export interface ArchitectureGraph {
  readonly title: string;
  readonly groups: readonly DiagramGroup[];
  readonly edges: readonly DiagramEdge[];
}

/** The datasets the events pipeline notebook publishes, in lineage order. */
export const PIPELINE_DATASETS = ["events (view)", "events_valid (view)", "sensor", "global_stat"] as const;

/**
 * What the pipeline writes to the quarantine schema, which is never shared: records as received, those
 * that break the contract, and counts.
 */
export const QUARANTINE_DATASETS = ["events_raw", "events_quarantine", "event_quality"] as const;

type DiagramSource = Pick<Environment, "name" | "config" | "names">;

/** The environment as groups of nodes and the edges events and data take between them. */
export function architectureGraph(env: DiagramSource): ArchitectureGraph {
  const { config, names } = env;
  const browser = config.browser_ingest.enabled;
  const http = config.http_ingest.enabled;
  // With transport http the page posts to the HTTP API: no guests, no identity pool.
  const guests = browser && config.browser_ingest.transport === "kinesis";
  const sharing = config.sharing.enabled;
  const node = (id: string, shape: NodeShape, ...lines: string[]): DiagramNode => ({ id, shape, lines });

  const jobs = Object.entries(config.jobs).map(([key, job], i) => {
    const tasks = Object.values(job.tasks);
    return {
      node: node(`job_${i}`, "service", "Databricks job", names.job(key)),
      readsTables: tasks.some((task) => task.notebook !== undefined || task.sql_file !== undefined),
      refreshesPipeline: tasks.some((task) => task.pipeline_refresh === true),
    };
  });
  const recipients = sharing
    ? Object.entries(config.sharing.recipients).map(([name, recipient], i) => ({
        node: node(
          `recipient_${i}`,
          "actor",
          "Share recipient",
          name,
          recipient.auth === "token" ? "open sharing (token)" : "Databricks-to-Databricks",
        ),
      }))
    : [];

  const groups: DiagramGroup[] = [
    {
      id: "clients",
      title: "Clients",
      nodes: [
        ...(browser ? [node("phones", "actor", "Phones", "seismograph page in the browser")] : []),
        ...(http ? [node("devices", "actor", "Devices", "HTTPS POST /events")] : []),
      ],
    },
    {
      id: "aws",
      title: `AWS account ${config.aws.account_id} · ${config.aws.region}`,
      nodes: [
        ...(browser
          ? [
              node("cdn", "service", "CloudFront (HTTPS)", "serves the page"),
              node("site", "store", "S3 website (page)", names.siteBucket),
              ...(guests
                ? [node("cognito", "service", "Cognito identity pool (guests)", names.identityPool)]
                : []),
            ]
          : []),
        ...(http
          ? [
              node("api", "service", "API Gateway HTTP API", names.ingestApi),
              node("lambda", "service", "Lambda ingest function", names.ingestFunction),
            ]
          : []),
        node("stream", "store", `Kinesis data stream (${config.stream.mode})`, names.stream),
        node("lake", "store", "S3 data lake", names.lakeBucket),
      ],
    },
    {
      id: "databricks",
      title: `Databricks ${config.databricks.host.replace(/^https:\/\//, "")}`,
      nodes: [
        node("pipeline", "service", "DLT pipeline", names.pipeline),
        node(
          "tables",
          "store",
          "Unity Catalog tables",
          `${names.catalog}.${names.schema}`,
          PIPELINE_DATASETS.join(" · "),
        ),
        node(
          "quarantine",
          "store",
          "Quarantine (never shared)",
          `${names.catalog}.${names.quarantineSchema}`,
          QUARANTINE_DATASETS.join(" · "),
        ),
        ...jobs.map((job) => job.node),
        ...(config.warehouse.enabled
          ? [
              node(
                "warehouse",
                "service",
                `Serverless SQL warehouse (${config.warehouse.size})`,
                names.warehouse,
              ),
            ]
          : []),
        ...(sharing ? [node("share", "service", "Delta share", names.share)] : []),
      ],
    },
    { id: "recipients", title: "Delta Sharing recipients", nodes: recipients.map((r) => r.node) },
  ];

  const edge = (from: string, to: string, label: string, dashed = false): DiagramEdge => ({
    from,
    to,
    label,
    dashed,
  });
  const edges: DiagramEdge[] = [
    ...(browser
      ? [
          edge("phones", "cdn", "open the page"),
          edge("cdn", "site", "origin"),
          ...(guests
            ? [edge("site", "cognito", "guest credentials"), edge("site", "stream", "PutRecords")]
            : [edge("site", "api", "POST /events")]),
        ]
      : []),
    ...(http
      ? [
          edge("devices", "api", "POST /events"),
          edge("api", "lambda", "invoke"),
          edge("lambda", "stream", "PutRecords"),
        ]
      : []),
    edge("stream", "pipeline", "reads"),
    edge("pipeline", "tables", "writes"),
    edge("pipeline", "quarantine", "breaks the contract"),
    edge("tables", "lake", "stored in", true),
    ...jobs.flatMap((job) => [
      ...(job.readsTables ? [edge("tables", job.node.id, "reads")] : []),
      ...(job.refreshesPipeline ? [edge(job.node.id, "pipeline", "refreshes")] : []),
    ]),
    ...(config.warehouse.enabled ? [edge("tables", "warehouse", "SQL queries")] : []),
    ...(sharing ? [edge("tables", "share", shareContents(env))] : []),
    ...recipients.map((recipient) => edge("share", recipient.node.id, "reads")),
  ];

  return {
    title: `lakestack ${env.name}`,
    groups: groups.filter((group) => group.nodes.length > 0),
    edges,
  };
}

function shareContents(env: DiagramSource): string {
  const { share_schema, objects } = env.config.sharing;
  const parts = [...(share_schema ? [`schema ${env.names.schema}`] : []), ...Object.keys(objects)];
  return parts.length > 0 ? `shares ${parts.join(", ")}` : "shares nothing yet";
}

export function renderDiagram(env: DiagramSource, format: DiagramFormat): string {
  const graph = architectureGraph(env);
  return format === "dot" ? renderDot(graph) : renderMermaid(graph);
}

// ---------------------------------------------------------------------------------------------------
// Mermaid (GitHub renders ```mermaid blocks)

/**
 * Characters that end a quoted Mermaid label or start markup inside one, as Mermaid's numeric entity
 * codes. Everything else is safe between double quotes.
 */
const MERMAID_ENTITIES: Record<string, string> = {
  '"': "#34;",
  "#": "#35;",
  "&": "#38;",
  "<": "#60;",
  ">": "#62;",
  "`": "#96;",
  "|": "#124;",
};

export function mermaidText(text: string): string {
  return text.replace(/\s+/g, " ").replace(/["#&<>`|]/g, (c) => MERMAID_ENTITIES[c]);
}

const MERMAID_SHAPES: Record<NodeShape, [string, string]> = {
  actor: ["([", "])"],
  service: ["[", "]"],
  store: ["[(", ")]"],
};

function mermaidNode(node: DiagramNode): string {
  const [open, close] = MERMAID_SHAPES[node.shape];
  return `${node.id}${open}"${node.lines.map(mermaidText).join("<br/>")}"${close}`;
}

export function renderMermaid(graph: ArchitectureGraph): string {
  const lines = ["flowchart LR"];
  for (const group of graph.groups) {
    lines.push(`  subgraph ${group.id} ["${mermaidText(group.title)}"]`);
    lines.push(...group.nodes.map((node) => `    ${mermaidNode(node)}`));
    lines.push("  end");
  }
  for (const edge of graph.edges) {
    const arrow = edge.dashed ? "-.->" : "-->";
    lines.push(`  ${edge.from} ${arrow}|"${mermaidText(edge.label)}"| ${edge.to}`);
  }
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------------
// Graphviz DOT

export function dotText(text: string): string {
  return text.replace(/\s+/g, " ").replace(/["\\]/g, (c) => `\\${c}`);
}

const DOT_SHAPES: Record<NodeShape, string> = { actor: "oval", service: "box", store: "cylinder" };

export function renderDot(graph: ArchitectureGraph): string {
  const lines = [
    `digraph "${dotText(graph.title)}" {`,
    "  rankdir=LR;",
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const group of graph.groups) {
    lines.push(`  subgraph cluster_${group.id} {`, `    label="${dotText(group.title)}";`);
    for (const node of group.nodes) {
      const label = node.lines.map(dotText).join("\\n");
      lines.push(`    ${node.id} [label="${label}", shape=${DOT_SHAPES[node.shape]}];`);
    }
    lines.push("  }");
  }
  for (const edge of graph.edges) {
    const style = edge.dashed ? ", style=dashed" : "";
    lines.push(`  ${edge.from} -> ${edge.to} [label="${dotText(edge.label)}"${style}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
