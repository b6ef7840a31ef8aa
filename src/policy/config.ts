/**
 * The policy configuration: which built-in policies run with which parameters, and custom CEL
 * policies. YAML (or JSON, which YAML reads):
 *
 *   policies:
 *     no-fixable-critical-high: { severities: [critical], ageDays: 30 }
 *     approved-base-images: false          # off
 *   custom:
 *     - id: no-curl
 *       title: No curl in the image
 *       expression: packages.filter(p, p.name == "curl").map(p, p.purl)
 *       fix: Remove curl from the final stage.
 *
 * Every mistake is an error naming the file and line: an unknown policy or parameter (with the
 * closest name), a value of the wrong type, a CEL syntax or type error (with the line of the
 * file it is on).
 */
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node as YamlNode, type Document } from 'yaml';
import { ScoutError } from '../util/errors.js';
import { closest } from '../cli/suggest.js';
import { BUILTIN_POLICIES } from './builtin.js';
import { CEL_VARIABLES, compileCel, type CompiledExpression } from './cel.js';
import type { BuiltinPolicy, ParamType } from './types.js';

export interface EnabledBuiltin {
  policy: BuiltinPolicy;
  params: Record<string, unknown>;
}

export interface CustomPolicy {
  id: string;
  title: string;
  weight: number;
  fix: string;
  expression: string;
  run: CompiledExpression;
}

export interface PolicyConfig {
  builtins: EnabledBuiltin[];
  custom: CustomPolicy[];
}

const BY_ID = new Map(BUILTIN_POLICIES.map((p) => [p.id, p]));
const DEFAULT_CUSTOM_WEIGHT = 2;

/** Every built-in policy with its default parameters: what runs without a config file. */
export function defaultPolicyConfig(): PolicyConfig {
  return { builtins: BUILTIN_POLICIES.map((policy) => ({ policy, params: defaults(policy) })), custom: [] };
}

function defaults(p: BuiltinPolicy): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p.params).map(([k, d]) => [k, d.default]));
}

function typeOk(type: ParamType, v: unknown): boolean {
  if (type === 'boolean') return typeof v === 'boolean';
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v) && v >= 0;
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

const TYPE_WORDS: Record<ParamType, string> = { boolean: 'true or false', number: 'a number (0 or more)', 'string[]': 'a list of strings' };

/** Read a policy configuration from its text; `file` names it in errors. */
export function parsePolicyConfig(text: string, file: string): PolicyConfig {
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (n: YamlNode | null | undefined): number => (n?.range ? lines.linePos(n.range[0]).line : 1);
  const fail = (n: YamlNode | null | undefined, msg: string): never => {
    throw new ScoutError('bad-policy-config', `${file}:${lineOf(n)}: ${msg}`, { path: file });
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ScoutError('bad-policy-config', `${file}:${e.linePos?.[0]?.line ?? 1}: not valid YAML: ${e.message.split('\n')[0]}`, { path: file });
  }
  const root = doc.contents;
  const config = defaultPolicyConfig();
  if (root === null || (isScalar(root) && root.value === null)) return config;
  if (!isMap(root)) return fail(root, 'a policy file is a map with `policies` and `custom`');
  for (const item of root.items) {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    if (key === 'policies') readBuiltins(item.value as YamlNode | null, config, fail);
    else if (key === 'custom') config.custom = readCustom(item.value as YamlNode | null, fail, lineOf, file);
    else {
      const hint = closest(key, ['policies', 'custom']);
      fail(item.key as YamlNode, `unknown key "${key}"${hint ? ` (did you mean ${hint}?)` : ''}: a policy file has \`policies\` and \`custom\``);
    }
  }
  return config;
}

type Fail = (n: YamlNode | null | undefined, msg: string) => never;

function readBuiltins(node: YamlNode | null, config: PolicyConfig, fail: Fail): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) fail(node, '`policies` is a map of built-in policy ids to their parameters (or false to turn one off)');
  for (const item of (node as import('yaml').YAMLMap).items) {
    const keyNode = item.key as YamlNode;
    const id = isScalar(keyNode) ? String(keyNode.value) : '';
    const policy = BY_ID.get(id);
    if (!policy) {
      const hint = closest(id, [...BY_ID.keys()]);
      fail(keyNode, `unknown built-in policy "${id}"${hint ? ` (did you mean ${hint}?)` : ''}; built-in policies: ${[...BY_ID.keys()].join(', ')}`);
    }
    const at = config.builtins.findIndex((b) => b.policy.id === id);
    const value = item.value as YamlNode | null;
    if (isScalar(value) && (value.value === false || value.value === true || value.value === null)) {
      if (value.value === false) config.builtins.splice(at, 1);
      continue;
    }
    if (!isMap(value)) fail(value ?? keyNode, `${id}: give its parameters as a map, or false to turn it off`);
    const params = { ...config.builtins[at].params };
    for (const p of (value as import('yaml').YAMLMap).items) {
      const name = isScalar(p.key) ? String(p.key.value) : '';
      if (name === 'enabled') {
        const v = (p.value as YamlNode | null)?.toJSON() as unknown;
        if (typeof v !== 'boolean') fail(p.value as YamlNode, `${id}.enabled must be true or false`);
        if (v === false) params.__off = true;
        continue;
      }
      const spec = policy!.params[name];
      if (!spec) {
        const names = Object.keys(policy!.params);
        const hint = closest(name, names);
        fail(p.key as YamlNode, `${id}: unknown parameter "${name}"${hint ? ` (did you mean ${hint}?)` : ''}${names.length ? `; its parameters: ${names.join(', ')}` : '; it has no parameters'}`);
      }
      const v = (p.value as YamlNode | null)?.toJSON() as unknown;
      if (!typeOk(spec.type, v)) fail((p.value as YamlNode) ?? (p.key as YamlNode), `${id}.${name} must be ${TYPE_WORDS[spec.type]}`);
      params[name] = v;
    }
    if (params.__off) config.builtins.splice(at, 1);
    else config.builtins[at] = { policy: policy!, params };
  }
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function readCustom(node: YamlNode | null, fail: Fail, lineOf: (n: YamlNode | null | undefined) => number, file: string): CustomPolicy[] {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) return fail(node, '`custom` is a list of policies, each with id, title and expression');
  const out: CustomPolicy[] = [];
  for (const entry of node.items as YamlNode[]) {
    if (!isMap(entry)) fail(entry, 'a custom policy is a map with id, title and expression (and fix, weight)');
    const m = entry as import('yaml').YAMLMap;
    const get = (k: string) => m.items.find((i) => isScalar(i.key) && i.key.value === k);
    for (const i of m.items) {
      const k = isScalar(i.key) ? String(i.key.value) : '';
      if (!['id', 'title', 'expression', 'fix', 'weight'].includes(k)) {
        const hint = closest(k, ['id', 'title', 'expression', 'fix', 'weight']);
        fail(i.key as YamlNode, `unknown custom policy key "${k}"${hint ? ` (did you mean ${hint}?)` : ''}; keys: id, title, expression, fix, weight`);
      }
    }
    const idItem = get('id');
    const id = idItem?.value && isScalar(idItem.value) ? String(idItem.value.value) : undefined;
    if (!id || !ID.test(id)) fail((idItem?.value as YamlNode) ?? entry, 'a custom policy needs an id: lower-case letters, digits, ".", "_" or "-"');
    if (BY_ID.has(id!) || out.some((c) => c.id === id)) fail(idItem!.value as YamlNode, `policy id "${id}" is used twice (or is a built-in policy's)`);
    const str = (k: string, required: boolean): string | undefined => {
      const i = get(k);
      if (!i) return required ? fail(entry, `custom policy ${id}: "${k}" is missing`) : undefined;
      const v = (i.value as YamlNode | null)?.toJSON() as unknown;
      if (typeof v !== 'string' || !v.trim()) fail((i.value as YamlNode) ?? (i.key as YamlNode), `custom policy ${id}: "${k}" must be a non-empty string`);
      return v as string;
    };
    const title = str('title', true)!;
    const expression = str('expression', true)!;
    const fix = str('fix', false) ?? 'Change the image so that the expression holds.';
    const w = get('weight');
    const weight = w ? ((w.value as YamlNode | null)?.toJSON() as unknown) : DEFAULT_CUSTOM_WEIGHT;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) fail((w?.value as YamlNode) ?? entry, `custom policy ${id}: weight must be a number from 0 to 100`);
    const compiled = compileCel(expression);
    if ('problem' in compiled) {
      const pr = compiled.problem;
      const line = expressionLine(get('expression')!.value as YamlNode, pr.line ?? 1, lineOf);
      throw new ScoutError('bad-policy-config', `${file}:${line}: custom policy ${id}: ${/^Unknown variable/.test(pr.message) ? `${pr.message} (the variables are ${CEL_VARIABLES.join(', ')})` : `the CEL expression does not compile: ${pr.message}`}${pr.excerpt ? `\n${pr.excerpt}` : ''}`, { path: file });
    }
    out.push({ id: id!, title, weight: weight as number, fix, expression, run: compiled.run });
  }
  return out;
}

/**
 * The file line of line `n` of an expression: a block scalar (`expression: |`) starts on the
 * line after its indicator; a plain or quoted one on its own line.
 */
function expressionLine(node: YamlNode, n: number, lineOf: (n: YamlNode | null | undefined) => number): number {
  const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
  return lineOf(node) + (block ? n : n - 1);
}
