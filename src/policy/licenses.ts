/**
 * Does a package's license force a listed (copyleft) license on its users? An SPDX expression
 * is read as SPDX means it: `MIT OR GPL-2.0` lets you choose MIT, `MIT AND GPL-2.0` does not.
 * A listed id matches its variants: `GPL-3.0` matches `GPL-3.0-only`, `GPL-3.0-or-later`,
 * `GPL-3.0+`. Several license entries on one package all apply (as in Debian's copyright files).
 */
import parseSpdx from 'spdx-expression-parse';

type Node = { license: string } | { conjunction: 'and' | 'or'; left: Node; right: Node };

/** `GPL-3.0-or-later` → `gpl-3.0`: the family a listed id names. */
export function licenseFamily(id: string): string {
  return id.trim().replace(/\+$/, '').replace(/-(?:only|or-later)$/i, '').toLowerCase();
}

function avoidable(n: Node, listed: ReadonlySet<string>): boolean {
  if ('license' in n) return !listed.has(licenseFamily(n.license));
  return n.conjunction === 'or' ? avoidable(n.left, listed) || avoidable(n.right, listed) : avoidable(n.left, listed) && avoidable(n.right, listed);
}

/**
 * Parsed expressions by their text (null: not SPDX). A re-match judges a thousand images that
 * share most of their packages, so the same few expressions came back ~30,000 times and their
 * parsing was ~60 ms of every 1,000 images. The trees are never modified. Bounded: a process
 * judging many distinct texts starts over instead of growing without end.
 */
const parsed = new Map<string, Node | null>();
const PARSED_MAX = 10_000;

function parseExpression(text: string): Node | null {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  let tree: Node | null = null;
  try {
    tree = parseSpdx(text) as Node;
  } catch {
    // Not SPDX (a name as the package stated it).
  }
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, tree);
  return tree;
}

/** The listed licenses the package cannot avoid, or [] when every entry leaves a free choice. */
export function unavoidableLicenses(licenses: readonly string[], listed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const text of licenses) {
    const tree = parseExpression(text);
    // Not SPDX: listed only when it is a listed id itself.
    if (tree ? !avoidable(tree, listed) : listed.has(licenseFamily(text))) out.push(text);
  }
  return out;
}
