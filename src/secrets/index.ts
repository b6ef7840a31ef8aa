export { secretsAnalyzer, secretsMaxFileBytes, SECRETS_ANALYZER } from './analyzer.js';
export { collectSecrets, configFindings, fileSecrets, withConfig, type SecretFinding, type SecretReport } from './collect.js';
export { RULES, type SecretRule } from './rules.js';
export { scanText, mask } from './scan-text.js';
