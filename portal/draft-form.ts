/**
 * The editor's form and the offer draft: the JSON the publisher pastes or uploads, with the common
 * fields of the form laid over it (a field filled in the form replaces the JSON's), and the API's
 * messages placed next to the input they are about.
 */
import type { OfferDraft } from '../domain/offer';

export const COMMON_FIELDS = ['title', 'summary', 'longSummary', 'description', 'categories', 'privacyPolicyUrl', 'termsOfUse'] as const;
export type CommonField = (typeof COMMON_FIELDS)[number];
/** Inputs messages can sit beside: the common fields, the offer id, the e-mails; the rest go to the JSON. */
export type MessageTarget = CommonField | 'offerId' | 'emails';

export interface EditorInput {
  offerId: string;
  offerJson: string;
  fields: Record<CommonField, string>;
  emails: string;
}

export interface PlacedMessage {
  level: 'Info' | 'Warning' | 'Error';
  text: string;
  field?: string;
}

export interface PlacedMessages {
  byTarget: Partial<Record<MessageTarget, PlacedMessage[]>>;
  /** Messages on fields only the JSON holds, shown beside it with their path. */
  json: PlacedMessage[];
  /** Messages about the request as a whole. */
  general: PlacedMessage[];
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function readEditorForm(body: Record<string, unknown>): EditorInput {
  return {
    offerId: text(body.offerId).trim(),
    offerJson: text(body.offerJson),
    fields: Object.fromEntries(COMMON_FIELDS.map((f) => [f, text(body[f])])) as Record<CommonField, string>,
    emails: text(body.emails),
  };
}

export const emptyEditorInput = (offerId = ''): EditorInput => ({
  offerId,
  offerJson: '',
  fields: Object.fromEntries(COMMON_FIELDS.map((f) => [f, ''])) as Record<CommonField, string>,
  emails: '',
});

export type DraftResult = { ok: true; draft: OfferDraft; input: EditorInput } | { ok: false; jsonError: { kind: 'syntax'; detail: string } | { kind: 'notObject' } };

/** The draft to send: the JSON with the form's filled-in fields over it; `input` is the form as it now reads. */
export function buildDraft(input: EditorInput): DraftResult {
  let parsed: unknown = {};
  if (input.offerJson.trim()) {
    try {
      parsed = JSON.parse(input.offerJson);
    } catch (err) {
      return { ok: false, jsonError: { kind: 'syntax', detail: (err as Error).message } };
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, jsonError: { kind: 'notObject' } };
  const draft = { ...(parsed as Record<string, unknown>) };
  for (const f of COMMON_FIELDS) {
    const value = input.fields[f];
    if (!value.trim()) continue;
    draft[f] = f === 'categories' ? value.split(',').map((c) => c.trim()).filter(Boolean) : value;
  }
  return {
    ok: true,
    draft: draft as OfferDraft,
    input: { ...input, offerJson: JSON.stringify(draft, null, 2), fields: fieldsOf(draft) },
  };
}

/** The form's fields as the draft has them (a value of the wrong type stays in the JSON only, where its message points). */
function fieldsOf(draft: Record<string, unknown>): Record<CommonField, string> {
  return Object.fromEntries(
    COMMON_FIELDS.map((f) => {
      const v = draft[f];
      if (f === 'categories' && Array.isArray(v) && v.every((c) => typeof c === 'string')) return [f, v.join(', ')];
      return [f, typeof v === 'string' ? v : ''];
    }),
  ) as Record<CommonField, string>;
}

export const emailsOf = (value: string): string[] => value.split(/[\s,;]+/).filter(Boolean);

const targetOf = (path: string): MessageTarget | undefined => COMMON_FIELDS.find((f) => path === f || path.startsWith(`${f}[`) || path.startsWith(`${f}.`));

/** Places validation messages (`field` is an offer path) next to their inputs. */
export function placeMessages(messages: readonly PlacedMessage[]): PlacedMessages {
  const placed: PlacedMessages = { byTarget: {}, json: [], general: [] };
  for (const m of messages) {
    const target = m.field ? targetOf(m.field) : undefined;
    if (target) (placed.byTarget[target] ??= []).push(m);
    else if (m.field) placed.json.push(m);
    else placed.general.push(m);
  }
  return placed;
}

/**
 * The API's 400 details (paths in the request body: `offer.title`, `notificationEmails[0]`,
 * `(root)`) as messages on the editor's inputs.
 */
export function placeRequestErrors(details: ReadonlyArray<{ path: string; message: string }>): PlacedMessages {
  const placed = placeMessages(
    details
      .filter((d) => d.path.startsWith('offer.'))
      .map((d) => ({ level: 'Error' as const, field: d.path.slice('offer.'.length), text: d.message })),
  );
  for (const d of details) {
    if (d.path.startsWith('offer.')) continue;
    const m: PlacedMessage = { level: 'Error', field: d.path, text: d.message };
    if (d.path.startsWith('notificationEmails')) (placed.byTarget.emails ??= []).push(m);
    else if (d.path === 'offer') placed.json.push(m);
    else placed.general.push({ level: 'Error', text: d.message });
  }
  return placed;
}

export const errorCount = (p: PlacedMessages): number =>
  [...Object.values(p.byTarget).flat(), ...p.json, ...p.general].filter((m) => m?.level === 'Error').length;
