import * as fs from 'fs';
import * as path from 'path';

/**
 * The docs link to each other across files (root README -> domain READMEs -> docs/): every relative
 * link and every `#anchor` must resolve, the root README stays short, and each domain README opens
 * with an example (which `readme-examples.test.ts` compiles).
 */
const ROOT = path.join(__dirname, '..', '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', 'cdk.out', '.git', 'coverage']);
const DOMAINS = ['messaging', 's3', 'edge', 'caching', 'hpc', 'ha'];
const ROOT_README_MAX_BYTES = 15 * 1024;

function markdownFiles(dir = ROOT): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...markdownFiles(full));
    else if (entry.name.endsWith('.md')) found.push(full);
  }
  return found;
}

/** The text outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, `-1`, `-2` for repeats. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of markdown.replace(/^```[\s\S]*?^```/gm, '').split('\n')) {
    const heading = line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!heading) continue;
    const slug = heading[1].toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug);
    seen.set(slug, (n ?? -1) + 1);
    anchors.add(n === undefined ? slug : `${slug}-${n + 1}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  return anchors;
}

/** Every relative link or anchor of `file` that does not resolve, as `file: target (why)`. */
function brokenLinks(file: string, read: (f: string) => string | undefined): string[] {
  const text = read(file)!;
  const problems: string[] = [];
  for (const m of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [filePart, anchor] = target.split('#', 2);
    const resolved = filePart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(filePart));
    const name = `${path.relative(ROOT, file)}: ${target}`;
    const content = read(resolved);
    if (content === undefined) {
      problems.push(`${name} (no such file)`);
    } else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(content).has(anchor)) {
      problems.push(`${name} (no heading with anchor #${anchor})`);
    }
  }
  return problems;
}

function readFromDisk(f: string): string | undefined {
  if (!fs.existsSync(f)) return undefined;
  return fs.statSync(f).isDirectory() ? '' : fs.readFileSync(f, 'utf8');
}

describe('documentation links', () => {
  const files = markdownFiles();

  test('finds the docs', () => {
    const names = files.map((f) => path.relative(ROOT, f));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'docs/deploy.md', ...DOMAINS.map((d) => `lib/${d}/README.md`)]));
  });

  test('every relative link and #anchor in every .md file resolves', () => {
    expect(files.flatMap((f) => brokenLinks(f, readFromDisk))).toEqual([]);
  });

  test('the check finds a missing file, a missing anchor in another file and in the same file', () => {
    const docs: Record<string, string> = {
      [path.join(ROOT, 'a.md')]: '# A\n## Two words `code`\n[x](b.md#nope) [y](#two-words-code) [z](#gone) [w](missing.md) [v](b.md#b)\n',
      [path.join(ROOT, 'b.md')]: '# B\n```sh\n# not a heading\n```\n',
    };
    expect(brokenLinks(path.join(ROOT, 'a.md'), (f) => docs[f])).toEqual([
      'a.md: b.md#nope (no heading with anchor #nope)',
      'a.md: #gone (no heading with anchor #gone)',
      'a.md: missing.md (no such file)',
    ]);
  });

  test('anchors follow GitHub: punctuation dropped, repeats numbered', () => {
    expect([...anchorsOf('## HPC: `HpcCluster`, `HpcBatchJobs`\n## Props\n## Props\n')])
      .toEqual(['hpc-hpccluster-hpcbatchjobs', 'props', 'props-1']);
  });
});

describe('documentation layout', () => {
  test(`the root README is at most ${ROOT_README_MAX_BYTES} bytes`, () => {
    expect(fs.statSync(path.join(ROOT, 'README.md')).size).toBeLessThanOrEqual(ROOT_README_MAX_BYTES);
  });

  test.each(DOMAINS)('lib/%s/README.md opens with a TypeScript example before its first section', (domain) => {
    const text = fs.readFileSync(path.join(ROOT, 'lib', domain, 'README.md'), 'utf8');
    const firstFence = text.search(/^```/m);
    const firstSection = text.search(/^## /m);
    expect(text.slice(firstFence).match(/^```(\w*)/)?.[1]).toBe('ts');
    expect(firstFence).toBeLessThan(firstSection < 0 ? Infinity : firstSection);
  });
});
