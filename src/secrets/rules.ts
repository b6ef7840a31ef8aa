/**
 * The secret rules: what a leaked credential looks like. Each rule has a stable id, a severity,
 * the literal text any hit must contain (a cheap byte search decides whether the regular
 * expression runs at all) and, where a shape alone says too little, a check of the value.
 */
export type SecretSeverity = 'critical' | 'high' | 'medium' | 'low';

export interface SecretRule {
  id: string;
  title: string;
  severity: SecretSeverity;
  /** Every hit contains one of these (case-sensitive); a file with none is not searched. */
  keywords: string[];
  /** Global regex; the `secret` group (or the whole match) is the value that gets masked. */
  pattern: RegExp;
  /** A further check of the value (entropy, structure); false: not a secret. */
  validate?: (value: string, match: RegExpExecArray) => boolean;
  /** Run only outside package-manager trees (node_modules, site-packages…), where code is full of look-alikes. */
  appOnly?: boolean;
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Example keys from vendors' documentation: never real, often copied into images' docs and tests. */
export const DOCUMENTATION_EXAMPLES = new Set([
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'AKIAI44QH8DHBEXAMPLE',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  'ASIAIOSFODNN7EXAMPLE',
  'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'xoxb-not-a-real-token-this-will-not-work',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
]);

const PLACEHOLDER = /example|sample|dummy|placeholder|changeme|change_me|your[_-]?(?:key|token|secret|password)|redacted|fake|xxxx|\*\*\*\*|<[^>]*>|\$\{|\{\{|%\(|\$[A-Z_]+$|^\$|insert|replace[_-]?me|not[_-]?a[_-]?real|test(?:ing)?[_-]?(?:key|token|secret|password)|^(?:password|secret|token|null|none|true|false|undefined)$/i;

/** Longest value whose words can make it a placeholder (the generic rule's values go to 128). */
const PLACEHOLDER_MAX = 128;

/** A value that is a stand-in, not a credential: documentation keys, templates, masks, repeats. */
export function isPlaceholder(value: string): boolean {
  if (DOCUMENTATION_EXAMPLES.has(value)) return true;
  // The words are looked for in short values only: a key's long random body spells "FAkE" or
  // "xxxx" somewhere now and then (one RSA key in twenty), and is no placeholder for it.
  if (value.length <= PLACEHOLDER_MAX && PLACEHOLDER.test(value)) return true;
  // aaaaaaaa, 00000000, abcabcabc: too little variety to be a generated secret.
  return new Set(value).size <= 3;
}

const b64Entropy = (min: number) => (v: string) => entropy(v) >= min;

export const RULES: SecretRule[] = [
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'critical',
    keywords: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    pattern: /\b(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g,
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    severity: 'critical',
    keywords: ['aws_secret', 'AWS_SECRET', 'aws-secret', 'SecretAccessKey', 'secret_access_key', 'SECRET_ACCESS_KEY'],
    pattern: /(?:aws_?secret_?(?:access_?)?key|SecretAccessKey|secret_access_key)["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    validate: b64Entropy(4),
  },
  {
    id: 'gcp-service-account',
    title: 'GCP service account key (JSON)',
    severity: 'critical',
    keywords: ['"service_account"'],
    pattern: /"type"\s*:\s*"service_account"[\s\S]{0,4000}?"private_key"\s*:\s*"(?<secret>-----BEGIN PRIVATE KEY-----[^"]{64,})"/g,
  },
  {
    id: 'azure-storage-key',
    title: 'Azure storage account key',
    severity: 'critical',
    keywords: ['AccountKey='],
    pattern: /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)/g,
  },
  {
    id: 'azure-client-secret',
    title: 'Azure AD client secret',
    severity: 'high',
    keywords: ['AZURE_CLIENT_SECRET', 'azure_client_secret', 'ClientSecret', 'client_secret'],
    pattern: /(?:AZURE_CLIENT_SECRET|azure_client_secret|ClientSecret|client_secret)["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g,
  },
  {
    id: 'private-key',
    title: 'Private key (RSA, EC, DSA, OpenSSH, PKCS#8, PGP)',
    severity: 'critical',
    keywords: ['-----BEGIN'],
    pattern: /-----BEGIN (?<kind>RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?<secret>[\s\S]{64,}?)-----END \k<kind>?PRIVATE KEY(?: BLOCK)?-----/g,
    // A key body is base64 (PGP's armour adds header lines): not a template with "..." in it.
    validate: (v) => /[A-Za-z0-9+/]{40,}/.test(v) && !/\.\.\.|<|>|\{\{/.test(v),
  },
  {
    id: 'github-token',
    title: 'GitHub token',
    severity: 'critical',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    pattern: /\b(?<secret>(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}))\b/g,
  },
  {
    id: 'gitlab-token',
    title: 'GitLab personal, project or runner token',
    severity: 'critical',
    keywords: ['glpat-', 'glrt-', 'GR1348941', 'glptt-'],
    pattern: /\b(?<secret>(?:glpat-[A-Za-z0-9_-]{20}|glrt-[A-Za-z0-9_-]{20}|GR1348941[A-Za-z0-9_-]{20}|glptt-[A-Za-z0-9_-]{40}))(?![A-Za-z0-9_-])/g,
  },
  {
    id: 'bitbucket-app-password',
    title: 'Bitbucket app password or access token',
    severity: 'high',
    keywords: ['ATBB', 'ATCTT3'],
    pattern: /\b(?<secret>(?:ATBB[A-Za-z0-9_=.-]{28,}|ATCTT3xFfGN0[A-Za-z0-9_=.-]{100,}))/g,
  },
  {
    id: 'npm-token',
    title: 'npm access token',
    severity: 'critical',
    keywords: ['npm_', '_authToken='],
    pattern: /(?:\b(?<secret>npm_[A-Za-z0-9]{36})\b|_authToken=(?<secret2>[A-Za-z0-9-]{36,}))/g,
    validate: (v) => !v.startsWith('${') && entropy(v) >= 3.5,
  },
  {
    id: 'pypi-token',
    title: 'PyPI upload token',
    severity: 'critical',
    keywords: ['pypi-AgE'],
    pattern: /\b(?<secret>pypi-AgE[A-Za-z0-9_-]{50,})/g,
  },
  {
    id: 'docker-config-auth',
    title: 'Docker registry credentials (config.json auths)',
    severity: 'critical',
    keywords: ['"auths"', '"auth"'],
    pattern: /"auth"\s*:\s*"(?<secret>[A-Za-z0-9+/]{8,}={0,2})"/g,
    // base64 of user:password.
    validate: (v) => Buffer.from(v, 'base64').toString('utf8').includes(':'),
  },
  {
    id: 'slack-webhook',
    title: 'Slack incoming webhook',
    severity: 'high',
    keywords: ['hooks.slack.com'],
    pattern: /(?<secret>https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{30,})/g,
  },
  {
    id: 'slack-token',
    title: 'Slack token',
    severity: 'high',
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xapp-'],
    pattern: /\b(?<secret>(?:xox[bpar]-[0-9]{10,13}-[0-9A-Za-z-]{10,}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+))/g,
  },
  {
    id: 'discord-webhook',
    title: 'Discord webhook',
    severity: 'high',
    keywords: ['/api/webhooks/'],
    pattern: /(?<secret>https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/[A-Za-z0-9_-]{60,68})/g,
  },
  {
    id: 'url-with-password',
    title: 'Database or broker URL with a password',
    severity: 'high',
    // The schemes the pattern names (not '://', which nearly every text file holds and which
    // made the keyword search stop every few bytes).
    keywords: ['postgres://', 'postgresql://', 'mysql://', 'mariadb://', 'mongodb://', 'mongodb+srv://', 'redis://', 'rediss://', 'amqp://', 'amqps://', 'mssql://', 'sqlserver://', 'kafka://', 'nats://', 'jdbc:'],
    pattern: /\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|kafka|nats|jdbc:[a-z]+):\/\/[^\s:/@"'`]{1,64}:(?<secret>[^\s@/"'`]{3,128})@[^\s"'`]+/g,
    validate: (v) => !isPlaceholder(v) && !/^(?:pass(?:word)?|pwd|secret|root|admin|guest|postgres|mysql|user|test)$/i.test(v),
  },
  {
    id: 'jwt',
    title: 'JSON Web Token',
    severity: 'medium',
    // Its second part: a JWT holds '.eyJ', and a four-byte keyword lets the search skip further.
    keywords: ['.eyJ'],
    pattern: /\b(?<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,})\b/g,
    validate: (v) => {
      try {
        const header = JSON.parse(Buffer.from(v.split('.')[0], 'base64url').toString('utf8')) as { alg?: unknown };
        return typeof header.alg === 'string' && header.alg.toLowerCase() !== 'none';
      } catch {
        return false;
      }
    },
  },
  {
    id: 'generic-secret-assignment',
    title: 'High-entropy value assigned to a password, secret or token',
    severity: 'medium',
    keywords: ['password', 'PASSWORD', 'Password', 'passwd', 'PASSWD', 'secret', 'SECRET', 'Secret', 'token', 'TOKEN', 'Token', 'api_key', 'API_KEY', 'apikey', 'APIKEY', 'ApiKey'],
    pattern: /\b[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api_?key|apikey)[A-Za-z0-9_.-]*["']?\s*(?::=|=>|[:=])\s*["']?(?<secret>[A-Za-z0-9+/=_\-!@#$%^&*.~]{12,128})(?=["'\s,;]|$)/gim,
    validate: (v) => entropy(v) >= 3.5 && /[0-9]/.test(v) && /[A-Za-z]/.test(v) && !/^[a-z]+(?:[._-][a-z]+)+$/i.test(v),
    appOnly: true,
  },
];

export const RULE_IDS = RULES.map((r) => r.id);
