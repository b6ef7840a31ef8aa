export { BUILTIN_POLICIES, HIGH_PROFILE_CVES, DEFAULT_COPYLEFT } from './builtin.js';
export { defaultPolicyConfig, parsePolicyConfig, type PolicyConfig } from './config.js';
export { evaluatePolicies, gateFails, healthScore, overallStatus, type HealthScore, type PolicyReport, type Grade } from './evaluate.js';
export { policyInput, storedProvenance, type PolicyFacts, type PolicyInput, type StoredProvenance, type SecretFact } from './input.js';
export { healthLine, writePolicyJson, writePolicyText } from './report.js';
export type { PolicyResult, PolicyStatus, Violation } from './types.js';
