/**
 * Java archives (jar, war, ear, jpi, hpi...). Archives are never captured whole: an analyzer
 * reduces each one to its artifacts during the layer pass, and this cataloger turns those
 * small results into packages. A nested artifact's location shows the nesting:
 * `/app/outer.war:WEB-INF/lib/x.jar`; the outer archive is listed as a second location so
 * the file (and its layer) that carries the evidence is always a real path in the image.
 */
import type { FileAnalyzer } from '../../image/capture.js';
import type { FileTree } from '../../image/filetree.js';
import type { Location, Package } from '../../sbom/model.js';
import { purlFor } from '../../sbom/purl.js';
import { looksLikeZip } from '../../util/zip.js';
import type { Cataloger, CatalogContext } from '../types.js';
import { CUT_SHORT_CODES, isJavaArchiveName, javaArchiveResult, type JavaArchiveAnalysis } from './archive.js';
import { siblingModule } from '../../util/module-worker.js';

import { JAVA_ARCHIVE, javaSpec } from './spec.js';

export const JAVA_ARCHIVE_ANALYZER = JAVA_ARCHIVE.name;
const FOUND_BY = javaSpec.name;

export const javaArchiveAnalyzer: FileAnalyzer = {
  ...JAVA_ARCHIVE,
  select(path, _size, head) {
    if (!isJavaArchiveName(path)) return false;
    // Zip magic, or a launch script prepended to an executable (Spring Boot) jar.
    return looksLikeZip(head) || head.subarray(0, 2).toString('latin1') === '#!';
  },
  analyze: javaArchiveResult,
  offThread: { module: siblingModule(import.meta.url, 'archive').href, fn: 'javaArchiveResult' },
  // The image's budget stopping the archive first: the layer names only its first few cut-short
  // problems, and a hundred "nested too deep" ones must not hide where and why the read stopped.
  cutShort: (result) => (isAnalysis(result) ? result.problems.filter((p) => CUT_SHORT_CODES.has(p.code)).sort((a, b) => Number(b.code === 'nested-archive-budget') - Number(a.code === 'nested-archive-budget')) : []),
};

function isAnalysis(x: unknown): x is JavaArchiveAnalysis {
  const a = x as JavaArchiveAnalysis | undefined;
  return !!a && Array.isArray(a.artifacts) && Array.isArray(a.problems);
}

/** Where Debian's Java packages publish Maven coordinates for the jars they install. */
const MAVEN_REPO = '/usr/share/maven-repo';

/**
 * Debian installs jars under /usr/share/java without pom.properties and links them from a
 * Maven layout (`/usr/share/maven-repo/<group path>/<artifact>/<version>/<artifact>-<version>.jar`):
 * the link's path is the jar's coordinates. Keyed by the jar's real path; the `debian` pseudo
 * versions every package also links are left out.
 */
function mavenRepoCoordinates(tree: FileTree): Map<string, { groupId: string; artifactId: string; version: string }> {
  const out = new Map<string, { groupId: string; artifactId: string; version: string }>();
  if (!tree.lstat(MAVEN_REPO)) return out;
  for (const n of tree.walk(MAVEN_REPO)) {
    if (!n.path.endsWith('.jar')) continue;
    const parts = n.path.slice(MAVEN_REPO.length + 1).split('/');
    if (parts.length < 4) continue;
    const [file, version, artifactId] = [parts[parts.length - 1], parts[parts.length - 2], parts[parts.length - 3]];
    // `debian` and `3.x` are Debian's placeholder versions, not releases.
    if (version === 'debian' || /\.x$/.test(version) || file !== `${artifactId}-${version}.jar`) continue;
    const real = tree.realpath(n.path);
    if (real && !out.has(real)) out.set(real, { groupId: parts.slice(0, -3).join('.'), artifactId, version });
  }
  return out;
}

function catalogJava(tree: FileTree, ctx: CatalogContext): Package[] {
  const out: Package[] = [];
  let mavenRepo: ReturnType<typeof mavenRepoCoordinates> | undefined;
  for (const path of tree.analyzed(JAVA_ARCHIVE_ANALYZER)) {
    const analysis = tree.analysis(path, JAVA_ARCHIVE_ANALYZER);
    if (analysis === undefined) continue;
    if (!isAnalysis(analysis)) {
      ctx.warnings.add('java-analysis-invalid', `${path}: unreadable Java archive analysis`, { path });
      continue;
    }
    // Nested archives a limit left unread were reported by the layer pass, with their layer.
    for (const p of analysis.problems) if (!CUT_SHORT_CODES.has(p.code)) ctx.warnings.add(p.code, p.message, { path });
    for (const found of analysis.artifacts) {
      let a = found;
      if (a.source === 'file-name' && !a.nesting.length) {
        mavenRepo ??= mavenRepoCoordinates(tree);
        const c = mavenRepo.get(path);
        if (c) a = { ...a, ...c, source: 'maven-repo' };
      }
      const virtualPath = [path, ...a.nesting].join(':');
      const locations: Location[] = [{ path: virtualPath }];
      if (a.nesting.length) locations.push({ path });
      out.push({
        id: `${a.groupId}:${a.artifactId}@${a.version}|${virtualPath}`,
        name: a.artifactId,
        namespace: a.groupId,
        version: a.version,
        type: 'maven',
        purl: purlFor({ type: 'maven', namespace: a.groupId, name: a.artifactId, version: a.version }),
        licenses: a.licenses,
        ...(a.author ? { author: a.author } : {}),
        ...(a.description ? { description: a.description } : {}),
        locations,
        foundBy: FOUND_BY,
        metadata: {
          groupId: a.groupId,
          artifactId: a.artifactId,
          identifiedBy: a.source,
          archive: path,
          virtualPath,
        },
      });
    }
  }
  return out;
}

export const javaCataloger: Cataloger = {
  ...javaSpec,
  capture: { ...javaSpec.capture, analyzers: [javaArchiveAnalyzer] },
  catalog: catalogJava,
};
