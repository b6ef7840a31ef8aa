/** The matcher's public API: what the CLI and the server call. */
export { match, type MatchOptions } from './matcher.js';
export { filterFindings, type FindingFilters } from './filter.js';
export { explain, type Explanation, type ExplainedPackage, type ExplainedEvaluation, type ExplainVerdict } from './explain.js';
export { applyVex, loadVex, parseVex, vexCapture, vexFromTree, type VexDocument, type VexStatement } from './vex.js';
export { ecosystemFor, type EcosystemMapping, type EcosystemQuery, type NotMatchableCode } from './ecosystem.js';
export { evaluateAffected, type TraceEntry, type EntryEvaluation } from './osv-range.js';
export { scoreCvss, SEVERITY_LEVELS, type FindingSeverity, type SeverityLevel, type SeveritySource } from './severity.js';
export type { Finding, FindingPackage, FindingStatus, MatchResult, NotMatchable, SkippedAdvisory, VexStatementRef } from './types.js';
