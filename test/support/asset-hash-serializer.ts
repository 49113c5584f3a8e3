/**
 * Jest snapshot serializer that replaces asset hashes (64 hex characters, as used in
 * asset S3 keys, ECR tags and `aws:asset:path` metadata) with a fixed marker, so a
 * snapshot diff means the template changed, not that a Lambda handler was edited.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;
const MARKER = '[ASSET HASH]';

module.exports = {
  test(value: unknown): boolean {
    return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
  },
  serialize(value: string): string {
    return JSON.stringify(value.replace(ASSET_HASH, MARKER));
  },
};
