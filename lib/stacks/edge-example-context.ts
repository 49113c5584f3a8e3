import { Construct } from 'constructs';
import { IpBlocklist } from '../edge/ip-blocklist';

/**
 * Blocked ranges of the edge examples when context `blockedCidrs` (comma-separated) is not set:
 * documentation ranges (RFC 5737, RFC 3849), which no real client uses.
 */
export const DEFAULT_EXAMPLE_BLOCKED_CIDRS = ['203.0.113.0/24', '198.51.100.66/32', '2001:db8:bad::/48'];

/** The blocklist of an edge example: context `blockedCidrs` or the documentation ranges. */
export function exampleBlocklist(scope: Construct): IpBlocklist {
  return new IpBlocklist({ name: 'ExampleBlocklist', cidrs: contextList(scope, 'blockedCidrs') ?? DEFAULT_EXAMPLE_BLOCKED_CIDRS });
}

/** A comma-separated context value as a list; undefined when not set. */
export function contextList(scope: Construct, key: string): string[] | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.map(String) : String(value).split(',')).map((s) => s.trim()).filter((s) => s !== '');
}
