/**
 * Request and response schemas of the history, changes, webhook and image self-test routes
 * (api/routes/offer-audit.ts), listed in the OpenAPI document.
 */
import { z } from 'zod';

const URL_MAX = 2048;

export const historyQuerySchema = z.object({
  cursor: z.string().max(200).regex(/^[\w-]+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const actor = z.string().meta({ description: '`publisher:<id>`, `operator` or `system`.' });
export const historyPageSchema = z
  .object({
    runs: z.array(
      z.object({
        runId: z.string(),
        startedAt: z.string(),
        endedAt: z.string().nullable(),
        result: z.string(),
        endStep: z.string(),
        startedBy: actor,
        steps: z.array(z.object({ id: z.string(), status: z.string(), startedAt: z.string().nullable(), completedAt: z.string().nullable(), durationMs: z.number().nullable() })),
      }),
    ),
    events: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        actor,
        at: z.string(),
        runId: z.string(),
        step: z.string().optional(),
        status: z.string().optional(),
        reason: z.string().optional(),
        data: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      }),
    ),
    nextCursor: z.string().optional().meta({ description: 'Give as `cursor` for the next, older page.' }),
  })
  .meta({ id: 'History' });

export const changesSchema = z
  .object({
    live: z.boolean(),
    liveRunId: z.string().optional(),
    draftRunId: z.string(),
    changes: z.array(z.object({ path: z.string(), change: z.enum(['added', 'removed', 'changed']), from: z.unknown().optional(), to: z.unknown().optional() })),
  })
  .meta({ id: 'Changes' });

export const webhookRequestSchema = z.object({ url: z.string().max(URL_MAX) }).meta({ id: 'WebhookRequest' });
export const webhookCreatedSchema = z
  .object({ url: z.string(), secret: z.string().meta({ description: 'The signing secret (`whsec_…`), shown only in this answer.' }) })
  .meta({ id: 'WebhookCreated' });
export const webhookSchema = z
  .object({
    url: z.string(),
    createdAt: z.string(),
    deliveries: z.array(
      z.object({
        at: z.string(),
        webhookId: z.string(),
        type: z.string(),
        offerId: z.string(),
        statusCode: z.number().nullable(),
        latencyMs: z.number(),
        delivered: z.boolean(),
        error: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'Webhook' });

export const imageTestRequestSchema = z
  .object({
    vhdUrl: z.string().max(URL_MAX),
    os: z.object({ family: z.enum(['Linux', 'Windows']), type: z.string().max(100) }),
  })
  .meta({ id: 'ImageTestRequest' });
export const imageTestSchema = z
  .object({
    testId: z.string(),
    status: z.enum(['Running', 'Passed', 'Failed']),
    bytesRead: z.number(),
    checks: z.array(z.object({ testId: z.string(), name: z.string(), result: z.string(), actualValue: z.string(), requiredValue: z.string(), remediation: z.string() })),
  })
  .meta({ id: 'ImageTest' });
