/**
 * The processes' log: JSON lines (pino), or a readable form for a terminal (pino-pretty, chosen by
 * LOG_FORMAT=pretty). Every line naming a publish or deprecation workflow also carries its
 * publisher and offer id, parsed from the workflow id (`publish/{publisherId}/{offerId}`), so one
 * query finds an offer's lines across the API and the workers. Secrets are kept out twice: known
 * secret fields are redacted by name, and every line is scrubbed of SAS signatures, account keys
 * and bearer tokens before it is written, whatever text an error brought in.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

const OFFER_WORKFLOW_ID = /^(?:publish|deprecate)\/([^/]+)\/([^/]+)$/;

/** `{ publisherId, offerId }` of a publish or deprecation workflow id; empty for any other id. */
export function offerFieldsOf(workflowId: unknown): { publisherId?: string; offerId?: string } {
  const m = typeof workflowId === 'string' ? OFFER_WORKFLOW_ID.exec(workflowId) : null;
  return m ? { publisherId: m[1], offerId: m[2] } : {};
}

const SCRUBS: [RegExp, string][] = [
  // A SAS: the whole query of a URL that carries a signature (sv, se, sp… say what it grants).
  [/\?[^\s"'<>]*\bsig=[^\s"'<>]*/gi, '?<SAS redacted>'],
  [/\b(sig|AccountKey|SharedAccessSignature|SharedAccessKey|client_secret|password)=[^;&\s"'<>]+/gi, '$1=<redacted>'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 <redacted>'],
];

/** The text with every SAS, account key, password parameter and bearer token replaced. */
export function scrubSecrets(text: string): string {
  return SCRUBS.reduce((s, [re, by]) => s.replace(re, by), text);
}

/** Field names whose values are secrets wherever they appear in a logged object. */
const REDACT = ['authorization', 'apiKey', 'secret', 'clientSecret', 'password', 'connectionString', 'sas'].flatMap((k) => [
  k,
  `*.${k}`,
  `*.*.${k}`,
]);

export interface LoggerOptions {
  /** `service` on every line: `api` or `worker`. */
  service: string;
  format?: 'json' | 'pretty';
  level?: string;
  /** Where lines go (tests capture them); standard output by default. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const destination = opts.destination ?? (opts.format === 'pretty' ? pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }) : pino.destination(1));
  return pino(
    {
      base: { service: opts.service },
      level: opts.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '<redacted>' },
      hooks: { streamWrite: scrubSecrets },
    },
    destination,
  );
}
