/**
 * Go binaries: the build info the Go linker embeds in every module-aware binary names the
 * main module, each dependency module (with `replace` directives applied), the toolchain
 * and build settings. Binaries are analyzed during the layer pass; only the build info is kept.
 */
import type { FileAnalyzer } from '../../image/capture.js';
import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import { purlFor } from '../../sbom/purl.js';
import type { Cataloger, CatalogContext } from '../types.js';
import { MAX_BUILDINFO_STRING, readGoBuildInfo, versionFromLdflags, type GoBuildInfo, type GoModule } from './buildinfo.js';
import { selectExecutable } from './executable.js';
import { siblingModule } from '../../util/module-worker.js';
import { appendAll } from '../../util/arrays.js';
import { warnIfCapped } from '../limits.js';

import { GO_BUILDINFO, goBinarySpec } from './spec.js';

export const GO_BUILDINFO_ANALYZER = GO_BUILDINFO.name;
const FOUND_BY = goBinarySpec.name;

export const goBuildInfoAnalyzer: FileAnalyzer = {
  ...GO_BUILDINFO,
  select: selectExecutable,
  analyze: readGoBuildInfo,
  offThread: { module: siblingModule(import.meta.url, 'buildinfo').href, fn: 'readGoBuildInfo' },
};

/** `pkg:golang/<module path>@<version>`: the last path element is the name. */
function goPurl(path: string, version: string): string {
  const slash = path.lastIndexOf('/');
  return purlFor({
    type: 'golang',
    namespace: slash > 0 ? path.slice(0, slash) : undefined,
    name: slash > 0 ? path.slice(slash + 1) : path,
    version: version || undefined,
  });
}

/** "go1.22.1 X:boringcrypto" -> "v1.22.1"; undefined for devel toolchains. */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)(?:\s|$)/.exec(goVersion.trim());
  return m ? `v${m[1]}` : undefined;
}

/** The main module's version: a real one, else one stamped with -ldflags -X, else ''. */
export function mainModuleVersion(info: GoBuildInfo): string {
  const v = info.main?.version ?? '';
  if (v && v !== '(devel)') return v;
  const ldflags = info.settings.find(([k]) => k === '-ldflags')?.[1];
  return (ldflags && versionFromLdflags(ldflags)) || '';
}

function isBuildInfo(x: unknown): x is GoBuildInfo {
  const b = x as GoBuildInfo | undefined;
  return !!b && typeof b.goVersion === 'string' && Array.isArray(b.deps) && Array.isArray(b.settings);
}

function catalogGo(tree: FileTree, ctx: CatalogContext): Package[] {
  const out: Package[] = [];
  for (const path of tree.analyzed(GO_BUILDINFO_ANALYZER)) {
    const info = tree.analysis(path, GO_BUILDINFO_ANALYZER);
    if (info === undefined) continue;
    if (!isBuildInfo(info)) {
      ctx.warnings.add('go-analysis-invalid', `${path}: unreadable Go build info analysis`, { path });
      continue;
    }
    warnIfCapped(info.deps.length, path, ctx.warnings, 'modules');
    if (typeof info.cutFrom === 'number') {
      ctx.warnings.add('go-buildinfo-cut', `${path}: Go build info is ${info.cutFrom} bytes, over the ${MAX_BUILDINFO_STRING / 1048576} MiB read per binary: only the ${info.deps.length} modules in its first ${MAX_BUILDINFO_STRING / 1048576} MiB are listed`, { path });
    }
    const settings = Object.fromEntries(info.settings);
    const common = { goVersion: info.goVersion, ...(info.main ? { mainModule: info.main.path } : {}) };
    const make = (name: string, version: string, extra: Partial<Package>, metadata: Record<string, unknown>): Package => ({
      id: `${name}@${version}|${path}`,
      name,
      version,
      type: 'golang',
      purl: goPurl(name, version),
      licenses: [],
      locations: [{ path }],
      foundBy: FOUND_BY,
      ...extra,
      metadata: { ...common, ...metadata },
    });

    const deps: Package[] = [];
    const stdlib = stdlibVersion(info.goVersion);
    if (stdlib) deps.push(make('stdlib', stdlib, { relationship: 'direct' }, {}));
    for (const d of info.deps) {
      const effective: GoModule = d.replace?.version ? d.replace : d;
      // A replacement by a local directory has no version; the module keeps its own path.
      const version = d.replace && !d.replace.version ? '' : effective.version;
      const meta: Record<string, unknown> = {};
      if (effective.sum) meta.h1Digest = effective.sum;
      if (d.replace) meta.replaces = { path: d.path, version: d.version, replacement: d.replace.path, ...(d.replace.version ? { replacementVersion: d.replace.version } : {}) };
      deps.push(make(effective.path, version, { relationship: 'unknown' }, meta));
    }
    if (info.main?.path) {
      const version = mainModuleVersion(info);
      const meta: Record<string, unknown> = { buildSettings: settings };
      if (info.main.sum) meta.h1Digest = info.main.sum;
      if (info.path) meta.mainPackage = info.path;
      const root = make(info.main.path, version, { relationship: 'root' }, meta);
      root.dependsOn = deps.map((d) => d.id);
      for (const d of deps) d.dependencyOf = [root.id];
      out.push(root);
    }
    appendAll(out, deps);
  }
  return out;
}

export const goBinaryCataloger: Cataloger = {
  ...goBinarySpec,
  capture: { ...goBinarySpec.capture, analyzers: [goBuildInfoAnalyzer] },
  catalog: catalogGo,
};
