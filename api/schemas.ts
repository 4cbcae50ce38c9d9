/**
 * Request and response schemas of the HTTP API. Requests are parsed with them, and the OpenAPI
 * document (openapi.ts) is generated from the same objects, so the two cannot drift.
 */
import { z } from 'zod';
import { boundedText, offerDraftSchema } from '../domain/offer';
import { RUN_STATUSES, type PublishStatusBody } from '../domain/status';
import { STEP_IDS } from '../domain/steps';
import { isValidEmail } from '../domain/emails';
import type { CertificationReport } from '../domain/certification';
import { LANGUAGES } from '../domain/languages';
import type { StepDurations } from '../domain/step-durations';
import { DEPRECATION_REASONS, DEPRECATION_STATES, type DeprecationStatus } from '../domain/deprecation';
import type { Actor } from '../domain/history';

/** Ids end up in workflow ids (`publish/{publisherId}/{offerId}`) and blob paths: keep them plain. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;
export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'must be 1–50 letters, digits, "-" or "_", starting with a letter or digit');

export const emailSchema = z.string().refine(isValidEmail, 'must be a valid e-mail address');
/** Where a run's status e-mails go: a few people or lists, not a mailing campaign. */
const MAX_NOTIFICATION_EMAILS = 20;
export const emailsSchema = z.array(emailSchema).min(1, 'give at least one address').max(MAX_NOTIFICATION_EMAILS, `at most ${MAX_NOTIFICATION_EMAILS} addresses`);

export const publishRequestSchema = z
  .object({
    offer: offerDraftSchema,
    notificationEmails: z.array(emailSchema).max(MAX_NOTIFICATION_EMAILS, `at most ${MAX_NOTIFICATION_EMAILS} addresses`).optional(),
    language: z.enum(LANGUAGES).optional().meta({ description: 'The language of the run\'s e-mails (default en).' }),
  })
  .meta({ id: 'PublishRequest' });
export const validateRequestSchema = z.object({ offer: offerDraftSchema }).meta({ id: 'ValidateRequest' });
export const notificationEmailsRequestSchema = z.object({ emails: emailsSchema }).meta({ id: 'NotificationEmailsRequest' });
export const cancelRequestSchema = z.object({ reason: boundedText(500).optional() }).meta({ id: 'CancelRequest' });

const messageSchema = z.object({
  level: z.enum(['Info', 'Warning', 'Error']),
  text: z.string(),
  field: z.string().optional(),
  timestamp: z.string(),
});

export const statusSchema = z
  .object({
    publisherId: z.string(),
    offerId: z.string(),
    runId: z.string(),
    status: z.enum(RUN_STATUSES),
    currentStep: z.enum(STEP_IDS),
    cancellable: z.boolean(),
    notificationEmails: z.array(z.string()),
    startedAt: z.string(),
    updatedAt: z.string(),
    steps: z.array(
      z.object({
        id: z.enum(STEP_IDS),
        stepName: z.string(),
        description: z.string(),
        estimatedTimeFrame: z.string(),
        status: z.enum(['NotStarted', 'InProgress', 'WaitingForPublisherInput', 'WaitingForPublisherReview', 'Complete', 'Failed', 'Canceled']),
        startedAt: z.string().nullable(),
        completedAt: z.string().nullable(),
        overdue: z.boolean(),
        progressPercentage: z.number(),
        messages: z.array(messageSchema),
      }),
    ),
    previewLinks: z.array(z.string()),
    liveLinks: z.array(z.string()),
    provisioning: z
      .object({
        regionsDone: z.number(),
        regionsTotal: z.number(),
        regions: z.record(z.string(), z.enum(['Pending', 'Copying', 'Complete', 'Failed', 'Removed'])),
      })
      .optional(),
    leadDelivery: z.object({ destination: z.string(), at: z.string(), delivered: z.boolean(), detail: z.string() }).optional(),
    reports: z.record(z.string(), z.string()),
    supportUrl: z.string(),
  })
  .meta({ id: 'PublishStatus' });

// The documented schema and the workflow's type must describe the same body.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statusSchemaMatchesType: Same<z.infer<typeof statusSchema>, PublishStatusBody> = true;
void statusSchemaMatchesType;

export const validationResponseSchema = z
  .object({
    valid: z.boolean(),
    messages: z.array(z.object({ field: z.string().optional(), level: z.enum(['Info', 'Warning', 'Error']), text: z.string() })),
  })
  .meta({ id: 'ValidationResult' });

export const offerListSchema = z
  .object({
    offers: z.array(
      z.object({ offerId: z.string(), title: z.string(), status: z.string(), currentStep: z.string(), updatedAt: z.string() }),
    ),
  })
  .meta({ id: 'OfferList' });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const productPageSchema = z.record(z.string(), z.unknown()).meta({ id: 'ProductPage', description: 'A product page as JSON.' });
export const liveOfferListSchema = z.object({ offers: z.array(z.record(z.string(), z.unknown())) }).meta({ id: 'LiveOfferList' });

export const certificationReportSchema = z
  .object({
    publisherId: z.string(),
    offerId: z.string(),
    runId: z.string(),
    startedAt: z.string(),
    completedAt: z.string(),
    passed: z.boolean(),
    bytesRead: z.number().meta({ description: 'Bytes of the images read to certify them.' }),
    checks: z.array(
      z.object({
        testId: z.string(),
        name: z.string(),
        result: z.enum(['Passed', 'Failed', 'Warning', 'NotApplicable']),
        actualValue: z.string(),
        requiredValue: z.string(),
        remediation: z.string(),
        disk: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'CertificationReport' });

const certificationReportMatchesType: Same<z.infer<typeof certificationReportSchema>, CertificationReport> = true;
void certificationReportMatchesType;

const durationSummarySchema = z.object({
  runs: z.number().meta({ description: 'Closed runs looked at (the most recent ones).' }),
  steps: z.partialRecord(
    z.enum(STEP_IDS),
    z.object({ samples: z.number(), medianMs: z.number(), p90Ms: z.number() }),
  ),
});

export const stepDurationsSchema = z
  .object({ publisher: durationSummarySchema, all: durationSummarySchema })
  .meta({ id: 'StepDurations' });

const stepDurationsMatchType: Same<z.infer<typeof stepDurationsSchema>, StepDurations> = true;
void stepDurationsMatchType;

/** Deprecation after Go live (domain/deprecation.ts): the request, and the schedule with its state. */
const deprecationScopeSchema = z.union([
  z.literal('offer'),
  z.object({ skuId: boundedText(50).pipe(z.string().min(1)), version: boundedText(50).pipe(z.string().min(1)).optional() }).strict(),
]);
const actorSchema = z.custom<Actor>((v) => typeof v === 'string' && /^(publisher:.+|operator|system)$/.test(v)).meta({ type: 'string', description: '`publisher:<id>`, `operator` or `system`.' });
const deprecationAlternativeSchema = z.object({ offerId: idSchema.optional(), skuId: boundedText(50).optional() }).strict();

export const deprecationRequestSchema = z
  .object({
    scope: deprecationScopeSchema.meta({ description: '"offer", or a plan `{ skuId }`, or one image version of a plan `{ skuId, version }`.' }),
    reason: z.enum(DEPRECATION_REASONS),
    text: boundedText(1000).optional(),
    alternative: deprecationAlternativeSchema.optional(),
    effectiveAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'Default and earliest: now + DEPRECATION_MIN_NOTICE; any time (now included) for criticalSecurityIssue.' }),
    notificationEmails: emailsSchema.optional().meta({ description: 'Where the notices go (default: the notification e-mails of the latest publish).' }),
  })
  .strict()
  .meta({ id: 'DeprecationRequest' });

export const deprecationStatusSchema = z
  .object({
    publisherId: z.string(),
    offerId: z.string(),
    scope: deprecationScopeSchema,
    reason: z.enum(DEPRECATION_REASONS),
    text: z.string().optional(),
    alternative: deprecationAlternativeSchema.optional(),
    state: z.enum(DEPRECATION_STATES),
    requestedBy: actorSchema,
    scheduledAt: z.string(),
    effectiveAt: z.string(),
    restorableUntil: z.string().optional(),
    restoredAt: z.string().optional(),
    restoredBy: actorSchema.optional(),
    replicasDeletedAt: z.string().optional(),
    replicasNotRestored: z.array(z.string()).optional(),
    notices: z.array(
      z.object({
        kind: z.enum(['scheduled', 'rescheduled', 'reminder', 'effective', 'restored']),
        label: z.string().optional(),
        dueAt: z.string(),
        sentAt: z.string().optional(),
        failedAt: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'DeprecationStatus' });

const deprecationStatusMatchesType: Same<z.infer<typeof deprecationStatusSchema>, DeprecationStatus> = true;
void deprecationStatusMatchesType;
