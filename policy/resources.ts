/**
 * The synthesized resources of one stack, as rules see them: the Terraform JSON cdktf writes, indexed
 * by type and address. Attributes are snake_case; references between resources are `${type.name.attr}`
 * strings, which is how a rule finds a bucket's public-access block or a function's log group.
 */

/** Attribute values as they appear in synthesized Terraform JSON. */
export type Attributes = Readonly<Record<string, unknown>>;

export interface SynthesizedResource {
  /** Terraform resource type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Logical id, e.g. `lake_bucket`. */
  readonly name: string;
  /** `type.name`, e.g. `aws_s3_bucket.lake_bucket`: what waivers and messages name. */
  readonly address: string;
  /** The resource's block without cdktf's `//` metadata. */
  readonly config: Attributes;
}

/** The `resource` part of a synthesized stack; everything else is ignored. */
export interface TerraformDocument {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Attributes>>>>;
}

const REFERENCE = /^\$\{([a-zA-Z0-9_-]+)\.([a-zA-Z0-9_-]+)(?:\.[^}]*)?\}$/;

export class ResourceIndex {
  private readonly byAddress: ReadonlyMap<string, SynthesizedResource>;

  constructor(readonly all: readonly SynthesizedResource[]) {
    this.byAddress = new Map(all.map((r) => [r.address, r]));
  }

  static fromTerraform(document: TerraformDocument): ResourceIndex {
    const resources: SynthesizedResource[] = [];
    for (const [type, blocks] of Object.entries(document.resource ?? {})) {
      for (const [name, block] of Object.entries(blocks)) {
        const config = Object.fromEntries(Object.entries(block).filter(([key]) => key !== "//"));
        resources.push({ type, name, address: `${type}.${name}`, config });
      }
    }
    return new ResourceIndex(resources.sort((a, b) => byCodeUnits(a.address, b.address)));
  }

  ofType(type: string): SynthesizedResource[] {
    return this.all.filter((r) => r.type === type);
  }

  get(address: string): SynthesizedResource | undefined {
    return this.byAddress.get(address);
  }

  /** The resource a `${type.name.attribute}` string points at. */
  referenced(value: unknown): SynthesizedResource | undefined {
    const match = typeof value === "string" ? REFERENCE.exec(value) : null;
    return match ? this.get(`${match[1]}.${match[2]}`) : undefined;
  }

  /**
   * Resources of `type` whose `attribute` names `target`, by reference or by literal name (companion
   * resources such as `aws_s3_bucket_versioning` may name their bucket either way).
   */
  attachedTo(
    target: SynthesizedResource,
    type: string,
    attribute: string,
    literal?: unknown,
  ): SynthesizedResource[] {
    return this.ofType(type).filter((r) => {
      const value = r.config[attribute];
      return this.referenced(value) === target || (literal !== undefined && value === literal);
    });
  }
}

/** Code-unit order, not the locale's: the same on every machine, like Array.prototype.sort(). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Nested blocks synthesize as an object or a one-element list depending on the provider schema. */
export function blocks(value: unknown): Attributes[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v): v is Attributes => typeof v === "object" && v !== null);
}

export function block(value: unknown): Attributes | undefined {
  return blocks(value)[0];
}

/** Every string inside a value, with its attribute path, for rules that scan whole resources. */
export function* strings(value: unknown, path = ""): Generator<{ path: string; text: string }> {
  if (typeof value === "string") yield { path, text: value };
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* strings(item, `${path}[${i}]`);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* strings(item, path ? `${path}.${key}` : key);
  }
}
