import { appendAll } from '../../util/arrays.js';
/**
 * Installed gem specifications (specifications/*.gemspec) are Ruby code written by RubyGems
 * itself from a fixed template. They are read as text, never executed: the `s.field = value`
 * assignments inside `Gem::Specification.new do |s|` with string, array, %q and
 * Gem::Version.new values, `.freeze` calls, trailing comments and `if s.respond_to?` guards.
 */

export interface Gemspec {
  name?: string;
  version?: string;
  licenses: string[];
  authors: string[];
  summary?: string;
  description?: string;
  homepage?: string;
  email: string[];
  /** Runtime dependencies (add_dependency / add_runtime_dependency), names only. */
  runtimeDependencies: string[];
}

const MAX_TEXT = 4 * 1024 * 1024;
const MAX_ITEMS = 1000;

/** Cursor over one Ruby expression. */
class Reader {
  i = 0;
  constructor(readonly s: string, readonly vars: Map<string, string>, readonly self: string) {}

  ws(): void {
    while (this.i < this.s.length && (this.s[this.i] === ' ' || this.s[this.i] === '\t')) this.i++;
  }

  /** A value: string, array of values, Gem::Version.new(value), or a known constant. */
  value(depth = 0): string | string[] | undefined {
    if (depth > 8) return undefined;
    this.ws();
    const c = this.s[this.i];
    let v: string | string[] | undefined;
    if (c === '"' || c === "'") v = this.string();
    else if (c === '%') v = this.percent();
    else if (c === '[') v = this.array(depth);
    else {
      const m = /^(Gem::Version\.new|Gem::Requirement\.new)\s*\(/.exec(this.s.slice(this.i));
      if (m) {
        this.i += m[0].length;
        const inner = this.value(depth + 1);
        this.ws();
        if (this.s[this.i] === ')') this.i++;
        v = Array.isArray(inner) ? inner.join(', ') : inner;
      } else {
        const id = /^[A-Z][A-Za-z0-9_]*(::[A-Z][A-Za-z0-9_]*)*/.exec(this.s.slice(this.i));
        if (id) {
          this.i += id[0].length;
          v = this.vars.get(id[0]) ?? this.vars.get(id[0].split('::').pop()!);
        }
      }
    }
    // Method calls on the value that do not change it.
    while (true) {
      const m = /^\.(freeze|dup|to_s|strip)\b/.exec(this.s.slice(this.i));
      if (!m) break;
      this.i += m[0].length;
    }
    return v;
  }

  private array(depth: number): string[] {
    this.i++;
    const out: string[] = [];
    while (this.i < this.s.length && out.length < MAX_ITEMS) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        break;
      }
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      const start = this.i;
      const v = this.value(depth + 1);
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) appendAll(out, v);
      if (this.i === start) break;
    }
    return out;
  }

  /** %q{..} %Q(..) %w[..] %(..) and friends. */
  private percent(): string | string[] | undefined {
    const m = /^%([qQwW]?)([^A-Za-z0-9\s])/.exec(this.s.slice(this.i));
    if (!m) return undefined;
    const open = m[2];
    const close = ({ '(': ')', '[': ']', '{': '}', '<': '>' } as Record<string, string>)[open] ?? open;
    this.i += m[0].length;
    let depth = 1;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i++];
      if (c === '\\' && this.i < this.s.length) {
        out += this.s[this.i++];
        continue;
      }
      if (c === open && open !== close) depth++;
      else if (c === close && --depth === 0) break;
      out += c;
    }
    if (m[1] === 'w' || m[1] === 'W') return out.split(/\s+/).filter(Boolean);
    return m[1] === 'q' ? out : this.interpolate(out);
  }

  private string(): string {
    const q = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i++];
      if (c === q) break;
      if (c === '\\' && this.i < this.s.length) {
        const e = this.s[this.i++];
        if (q === "'") {
          out += e === "'" || e === '\\' ? e : '\\' + e;
          continue;
        }
        if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e === 'u') {
          const m = /^\{([0-9a-fA-F]{1,6})\}|^([0-9a-fA-F]{4})/.exec(this.s.slice(this.i));
          if (m) {
            this.i += m[0].length;
            const cp = parseInt(m[1] ?? m[2], 16);
            out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
          }
        } else out += e;
        continue;
      }
      if (q === '"' && c === '#' && this.s[this.i] === '{') {
        // Keep the interpolation marker for interpolate() below.
        const end = this.s.indexOf('}', this.i);
        if (end === -1) break;
        out += '#{' + this.s.slice(this.i + 1, end) + '}';
        this.i = end + 1;
        continue;
      }
      out += c;
    }
    return q === '"' ? this.interpolate(out) : out;
  }

  /** "#{s.name}" and "#{VERSION}" from what the file already said; anything else stays as written. */
  private interpolate(s: string): string {
    return s.replace(/#\{\s*([^}]*?)\s*\}/g, (all, expr: string) => {
      const field = new RegExp(`^${this.self}\\.(\\w+)$`).exec(expr);
      const v = field ? this.vars.get(`${this.self}.${field[1]}`) : this.vars.get(expr) ?? this.vars.get(expr.split('::').pop()!);
      return v ?? all;
    });
  }
}

const LIST = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const ONE = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function parseGemspec(raw: string): Gemspec {
  const text = raw.length > MAX_TEXT ? raw.slice(0, MAX_TEXT) : raw;
  const spec: Gemspec = { licenses: [], authors: [], email: [], runtimeDependencies: [] };
  const block = /Gem::Specification\.new\s+do\s*\|\s*(\w+)\s*\|/.exec(text);
  const self = block?.[1] ?? 's';
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const constant = /^\s*([A-Z][A-Za-z0-9_]*)\s*=\s*/.exec(line);
    if (constant) {
      const v = new Reader(line.slice(constant[0].length), vars, self).value();
      if (typeof v === 'string') vars.set(constant[1], v);
      continue;
    }
    const assign = new RegExp(`^\\s*${self}\\.(\\w+)\\s*=\\s*`).exec(line);
    if (assign) {
      const v = new Reader(line.slice(assign[0].length), vars, self).value();
      const field = assign[1];
      if (typeof v === 'string') vars.set(`${self}.${field}`, v);
      switch (field) {
        case 'name': spec.name = ONE(v); break;
        case 'version': spec.version = ONE(v); break;
        // RubyGems accepts a bare string for licenses= too (it wraps it in an array).
        case 'license': case 'licenses': appendAll(spec.licenses, LIST(v)); break;
        case 'author': case 'authors': appendAll(spec.authors, LIST(v)); break;
        case 'email': appendAll(spec.email, LIST(v)); break;
        case 'summary': spec.summary = ONE(v); break;
        case 'description': spec.description = ONE(v); break;
        case 'homepage': spec.homepage = ONE(v); break;
      }
      continue;
    }
    const dep = new RegExp(`^\\s*${self}\\.add_(runtime_)?dependency\\s*\\(?\\s*`).exec(line);
    if (dep) {
      const v = ONE(new Reader(line.slice(dep[0].length), vars, self).value());
      if (v && !spec.runtimeDependencies.includes(v) && spec.runtimeDependencies.length < MAX_ITEMS) spec.runtimeDependencies.push(v);
    }
  }
  spec.licenses = [...new Set(spec.licenses.map((l) => l.trim()).filter(Boolean))];
  spec.authors = spec.authors.map((a) => a.trim()).filter(Boolean);
  spec.email = spec.email.map((a) => a.trim()).filter(Boolean);
  return spec;
}
