/**
 * fast-check arbitraries from the JSON Schemas of an OpenAPI document (the subset zod's
 * `toJSONSchema` writes: `$ref`, `type`, `properties`/`required`, `items`, `anyOf`/`oneOf`,
 * `const`/`enum`, lengths, counts, `pattern`, `format: uuid`), for the API fuzzer. Each schema gives
 * values of three kinds: valid (every constraint held), near-valid (valid except some fields: one
 * past a limit, of a wrong type, or hostile) and hostile (anything a client could send).
 */
import fc from 'fast-check';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

/** JSON text to put into a body as it is (what a JS value cannot hold: nesting deeper than JSON.stringify recurses). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A body value as JSON text; own `__proto__` keys and RawJson nodes are written as they are. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${toJsonText((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with `key` as an own property, even for `__proto__`. */
export function ownObject(entries: Array<[string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Strings that have broken servers elsewhere: traversal, schemes, injection, control and bidi characters. */
export const NASTY_STRINGS = [
  '', ' ', '../../../../etc/passwd', '..\\..\\..\\windows\\win.ini', '%2e%2e%2f%2e%2e%2f', 'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/x', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'; DROP TABLE offers;--", '${jndi:ldap://x/a}', '{{7*7}}',
  '\u0000', 'a\u0000b', '\u202eevil', '\ufeff', '\ud800', '\udfff', 'a\r\nX-Injected: 1', '__proto__', 'constructor', 'NaN', 'null',
  '🙂'.repeat(60), 'e\u0301'.repeat(40), '\u{10ffff}', '1.0.0+' + 'a.'.repeat(200) + 'a',
];

/** Numbers at the edges of what JSON and the schemas allow. */
const EDGE_NUMBERS = [0, -0, -1, 1, 0.5, 15, 16, 17, 65535, 65536, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 5e-324];

/** Any hostile JSON value: wrong types, huge or strange strings, pollution keys, deep nesting, edge numbers. */
export function hostileValue(): fc.Arbitrary<unknown> {
  const deep = fc
    .tuple(fc.integer({ min: 50, max: 50_000 }), fc.boolean())
    .map(([n, arrays]) => new RawJson(arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`));
  const pollution = fc
    .tuple(fc.constantFrom(...POLLUTION_KEYS), fc.jsonValue({ maxDepth: 2 }))
    .map(([k, v]) => (k === 'constructor' ? ownObject([[k, { prototype: { polluted: true } }]]) : ownObject([[k, { polluted: true, v }]])));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, ...EDGE_NUMBERS) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    // UTF-16 code units, lone surrogates included (JSON.stringify writes them as \u escapes).
    { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 400_000 }).map((n) => 'A'.repeat(n)) },
    { weight: 2, arbitrary: pollution },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** What a string field's name says it holds, so valid values look like the real thing. */
type Hint = 'url' | 'email' | 'uuid' | undefined;
const hintOf = (key: string): Hint => (/url$/i.test(key) ? 'url' : /email/i.test(key) ? 'email' : /subscriptionIds|clientId|tenantId/.test(key) ? 'uuid' : undefined);

/** URLs that are refused or fail without leaving the machine: a host off the allow-list, a closed loopback port. */
const URLS = ['https://fuzz.invalid/images/os.vhd?sig=FUZZ', 'http://127.0.0.1:9/x.png', 'https://contoso.example/privacy', 'ftp://x.example/a'];

export interface ArbitraryOptions {
  /** Chance that a field of a near-valid value is made hostile or past its limit (default 0.08). */
  mutationRate?: number;
}

export function schemaArbitraries(document: { components?: { schemas?: Record<string, JsonSchema> } }, opts: ArbitraryOptions = {}) {
  const rate = opts.mutationRate ?? 0.08;
  const resolve = (s: JsonSchema): JsonSchema => {
    if (!s.$ref) return s;
    const name = /^#\/components\/schemas\/(.+)$/.exec(s.$ref)?.[1];
    const target = name && document.components?.schemas?.[name];
    if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
    return resolve(target);
  };

  function validString(s: JsonSchema, hint: Hint): fc.Arbitrary<string> {
    const max = s.maxLength ?? 40;
    const min = s.minLength ?? 0;
    if (s.format === 'uuid' || hint === 'uuid') return fc.uuid();
    if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((v) => [...v].length <= max);
    const choices: Array<fc.Arbitrary<string>> = [fc.string({ minLength: min, maxLength: Math.min(max, 30) }), fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 20) })];
    if (hint === 'url') choices.push(fc.constantFrom(...URLS), fc.webUrl());
    if (hint === 'email') choices.push(fc.emailAddress());
    // Exactly at the limit, in code points that are two UTF-16 units each.
    if (s.maxLength !== undefined && s.maxLength <= 20_000) choices.push(fc.constantFrom('x'.repeat(s.maxLength), '🙂'.repeat(s.maxLength)));
    return fc.oneof(...choices).filter((v) => [...v].length >= min && [...v].length <= max);
  }

  /** One step past a constraint of `s`, when it has one. */
  function pastLimit(s: JsonSchema): fc.Arbitrary<unknown> | undefined {
    if (s.maxLength !== undefined) return fc.constantFrom('x'.repeat(s.maxLength + 1), '🙂'.repeat(s.maxLength + 1));
    if (s.maxItems !== undefined && s.items) return value(s.items, 'valid').map((item) => Array.from({ length: s.maxItems! + 1 }, () => item));
    if (s.pattern) return fc.constant('-not matching-');
    if (s.const !== undefined) return fc.constant(`${String(s.const)}x`);
    if (s.enum) return fc.constant('NotInTheEnum');
    return undefined;
  }

  const cache = new Map<string, WeakMap<JsonSchema, fc.Arbitrary<unknown>>>();

  /** `valid`: every constraint held; `near`: valid in shape, some fields mutated. */
  function value(schema: JsonSchema, mode: 'valid' | 'near', hint?: Hint): fc.Arbitrary<unknown> {
    const s = resolve(schema);
    const key = `${mode}:${hint ?? ''}`;
    const byMode = cache.get(key) ?? new WeakMap<JsonSchema, fc.Arbitrary<unknown>>();
    cache.set(key, byMode);
    const hit = byMode.get(s);
    if (hit) return hit;
    const built = mode === 'near' ? mutated(s, hint) : shaped(s, 'valid', hint);
    byMode.set(s, built);
    return built;
  }

  function mutated(s: JsonSchema, hint: Hint): fc.Arbitrary<unknown> {
    const past = pastLimit(s);
    const bad: Array<fc.Arbitrary<unknown>> = [hostileValue(), ...(past ? [past, past] : [])];
    const keep = Math.round((1 - rate) * 100);
    return fc.oneof({ weight: keep, arbitrary: shaped(s, 'near', hint) }, { weight: 100 - keep, arbitrary: fc.oneof(...bad) });
  }

  function shaped(s: JsonSchema, mode: 'valid' | 'near', hint: Hint): fc.Arbitrary<unknown> {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((a) => value(a, mode, hint)));
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (types.length > 1) return fc.oneof(...types.map((t) => shaped({ ...s, type: t }, mode, hint)));
    switch (types[0]) {
      case 'string':
        return validString(s, hint);
      case 'number':
      case 'integer':
        return fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.constantFrom(...EDGE_NUMBERS));
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const item = s.items ? value(s.items, mode, hint) : fc.jsonValue({ maxDepth: 1 });
        const min = s.minItems ?? 0;
        return fc.array(item, { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? 4, 4)) });
      }
      case 'object': {
        const props = s.properties ?? {};
        const model = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, value(p, mode, hintOf(k) ?? hint)]));
        const record = fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
        if (mode === 'valid') return record;
        // Near-valid objects may also carry keys the schema does not know, pollution keys among them.
        const extra = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ maxLength: 12 })), hostileValue()), { maxLength: 2 });
        return fc.tuple(record, extra).map(([r, more]) => ownObject([...Object.entries(r), ...more]));
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  return {
    valid: (s: JsonSchema) => value(s, 'valid'),
    nearValid: (s: JsonSchema) => value(s, 'near'),
    /** Valid, near-valid and hostile values of `s`, in that proportion of about 3:5:2. */
    fuzzed: (s: JsonSchema) =>
      fc.oneof({ weight: 3, arbitrary: value(s, 'valid') }, { weight: 5, arbitrary: value(s, 'near') }, { weight: 2, arbitrary: hostileValue() }),
  };
}
