/**
 * The error catalogue (domain/errors.ts): each type named and classified once, constructors that
 * produce the type and the retry behaviour of its kind, and no type spelled anywhere else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  ERROR_CATALOGUE,
  ErrorType,
  errorKindOf,
  infrastructureFailure,
  isPublisherFailure,
  publisherFailure,
  refusalFailure,
  refusalOf,
  type ErrorKind,
  type InfrastructureErrorType,
  type PublisherErrorType,
  type RefusalType,
} from '../../domain/errors';

const ROOT = path.resolve(__dirname, '..', '..');
const types = Object.keys(ERROR_CATALOGUE) as ErrorType[];
const ofKind = (kind: ErrorKind) => types.filter((t) => ERROR_CATALOGUE[t].kind === kind);

describe('error catalogue', () => {
  it('names every type once, as itself, with what it means', () => {
    expect(Object.keys(ErrorType)).toEqual(types);
    for (const t of types) {
      expect(ErrorType[t]).toBe(t);
      expect(ERROR_CATALOGUE[t].meaning.length).toBeGreaterThan(10);
    }
    // Type names are compared case-sensitively across Temporal; two differing only by case would confuse people.
    expect(new Set(types.map((t) => t.toLowerCase())).size).toBe(types.length);
  });

  it('classifies every type under exactly one kind', () => {
    const kinds: ErrorKind[] = ['publisher', 'refusal', 'infrastructure'];
    const byKind = kinds.map(ofKind);
    expect(byKind.flat().sort()).toEqual([...types].sort());
    for (const t of types) expect(kinds.filter((k) => ofKind(k).includes(t))).toEqual([errorKindOf(t)]);
    expect(byKind.every((list) => list.length > 0)).toBe(true);
  });

  it('knows nothing of types outside it, nor of inherited property names', () => {
    for (const t of [undefined, null, '', 'Error', 'ReplicationFailed', 'toString', 'constructor', '__proto__']) {
      expect(errorKindOf(t)).toBeUndefined();
    }
  });

  it('publisherFailure gives a non-retryable failure of the type, which the workflow reads as the publisher’s', () => {
    for (const t of ofKind('publisher') as PublisherErrorType[]) {
      const f = publisherFailure(t, `fix ${t}`);
      expect(f).toBeInstanceOf(ApplicationFailure);
      expect(f).toMatchObject({ type: t, message: `fix ${t}`, nonRetryable: true });
      expect(isPublisherFailure(f)).toBe(true);
      expect(refusalOf(f)).toBeUndefined();
    }
  });

  it('refusalFailure gives a non-retryable failure the API reads back as its code and reason', () => {
    for (const t of ofKind('refusal') as RefusalType[]) {
      const f = refusalFailure(t, 'not now');
      expect(f).toMatchObject({ type: t, message: 'not now', nonRetryable: true });
      expect(refusalOf(f)).toEqual({ type: t, message: 'not now' });
      expect(isPublisherFailure(f)).toBe(false);
    }
  });

  it('infrastructureFailure gives a retryable failure that is never the publisher’s', () => {
    for (const t of ofKind('infrastructure') as InfrastructureErrorType[]) {
      const f = infrastructureFailure(t, 'storage down');
      expect(f).toMatchObject({ type: t, nonRetryable: false });
      expect(isPublisherFailure(f)).toBe(false);
      expect(refusalOf(f)).toBeUndefined();
    }
  });

  it('reads an uncatalogued failure as not the publisher’s and not a refusal', () => {
    for (const f of [new Error('boom'), ApplicationFailure.nonRetryable('x', 'SomethingElse'), undefined, 'InvalidState: text']) {
      expect(isPublisherFailure(f)).toBe(false);
      expect(refusalOf(f)).toBeUndefined();
    }
  });

  it('is the only place that spells a type or builds an ApplicationFailure', () => {
    const dirs = ['domain', 'config', 'lib', 'workflows', 'activities', 'workers', 'api', 'dev-stack', 'samples', 'scripts', 'test'];
    const self = path.relative(ROOT, __filename);
    const files = dirs.flatMap((d) => tsFiles(path.join(ROOT, d))).filter((f) => f !== 'domain/errors.ts' && f !== self);
    const literal = new RegExp(`(['"\`])(${types.join('|')})\\1`);
    const builds = /ApplicationFailure\.(nonRetryable|retryable|create)\(|new ApplicationFailure\(/;
    const offenders = files.flatMap((f) =>
      fs
        .readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (!isComment(line) && (literal.test(line) || builds.test(line)) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });
});

/** Comments may name a type (in backticks, say); code may not. */
const isComment = (line: string) => /^\s*(\*|\/\*|\/\/)/.test(line);

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(full);
    return e.name.endsWith('.ts') ? [path.relative(ROOT, full)] : [];
  });
}
