import { TerraformElement, TerraformStack } from "cdktf";
import type { Node } from "constructs";

/**
 * A Terraform address made of the construct path below the stack, e.g. `aws_kinesis_stream.events_stream`,
 * instead of cdktf's path + hash suffix: plans read better, and an address changes only when a construct
 * id does. Construct ids are therefore a public contract; renames go through cdktf's move support.
 */
export function readableLogicalId(node: Node, stack: TerraformStack): string {
  const below = node.scopes.slice(node.scopes.indexOf(stack) + 1);
  return below.map((scope) => scope.node.id.replace(/[^a-zA-Z0-9_-]/g, "_")).join("_");
}

/** Joining path parts with `_` could in theory make two paths meet; refuse that rather than merge resources. */
export function assertUniqueAddresses(stack: TerraformStack): void {
  const taken = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformElement) || node === (stack as unknown)) continue;
    const type = (node as { terraformResourceType?: string }).terraformResourceType ?? node.constructor.name;
    const address = `${type}.${node.friendlyUniqueId}`;
    const clash = taken.get(address);
    if (clash)
      throw new Error(`two constructs map to the address ${address}: ${clash} and ${node.node.path}`);
    taken.set(address, node.node.path);
  }
}
