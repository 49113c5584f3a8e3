import * as fs from 'fs';
import * as path from 'path';

/**
 * `names` and every package they need from `root`'s top-level node_modules (dependencies and
 * required peers that are not nested inside the package itself, e.g. not bundled), transitively:
 * what an offline install of the packed library links from this repository's install.
 */
export function dependencyClosure(root: string, names: string[]): string[] {
  const top = path.join(root, 'node_modules');
  const found = new Set<string>();
  const visit = (name: string): void => {
    if (found.has(name)) return;
    found.add(name);
    const dir = path.join(top, name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const optionalPeers = Object.keys(manifest.peerDependenciesMeta ?? {}).filter((p) => manifest.peerDependenciesMeta[p].optional);
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((p) => !optionalPeers.includes(p));
    for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...peers]) {
      if (!fs.existsSync(path.join(dir, 'node_modules', dep)) && fs.existsSync(path.join(top, dep))) visit(dep);
    }
  };
  names.forEach(visit);
  return [...found].sort();
}
