/**
 * The OpenAPI 3.1 document, generated from the zod schemas the routes parse with (api/schemas.ts),
 * with the paths and methods of the route table the routers serve (domain/api-paths.ts).
 */
import { z } from 'zod';
import * as s from './schemas';
import * as audit from './audit-schemas';
import { ID_PATTERN } from './schemas';
import { API_ROUTES, type ApiRoute } from '../domain/api-paths';
import { ErrorType } from '../domain/errors';
import { LOGO_SIZES } from '../domain/offer';

type Schema = z.ZodType;

function jsonSchemas(named: Record<string, Schema>) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' });
  for (const schema of Object.values(schemas)) delete (schema as { $schema?: string }).$schema;
  return schemas;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const err = (description: string) => ({ description, content: json('Error') });
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', pattern: ID_PATTERN.source } });
const offerPath = [pathParam('publisherId'), pathParam('offerId')];
const authErrors = { '400': err('Malformed request; `details` lists each bad field with its path.'), '401': err('No or unknown API key.'), '403': err('The key does not give access to this publisher.') };

/** One operation per route, under the method the route table gives it (checked by the type). */
type RouteOperations = { [R in ApiRoute]: Record<(typeof API_ROUTES)[R]['method'], object> };

/** The document's `paths`: each route's operation under its path from the route table. */
function routePaths(operations: RouteOperations): Record<string, Record<string, object>> {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of Object.keys(operations) as ApiRoute[]) {
    const { method, path } = API_ROUTES[route];
    paths[path] = { ...paths[path], [method]: (operations[route] as Record<string, object>)[method] };
  }
  return paths;
}

function offerAction(summary: string, body: string | undefined, ok: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    post: {
      summary,
      security: [{ bearer: [] }],
      parameters: offerPath,
      ...(body ? { requestBody: { required: body !== 'CancelRequest', content: json(body) } } : {}),
      responses: { ...ok, ...authErrors, ...extra },
    },
  };
}

export function buildOpenApiDocument(serverUrl: string) {
  const statusResponse = (description: string) => ({ description, content: json('PublishStatus') });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marketplace offer publishing API',
      version: '1.0.0',
      description: 'Publish virtual-machine offers: validate, certify, replicate, package, preview, go live. Each publish is a durable Temporal workflow.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A publisher or operator API key.' } },
      schemas: jsonSchemas({
        PublishRequest: s.publishRequestSchema,
        ValidateRequest: s.validateRequestSchema,
        NotificationEmailsRequest: s.notificationEmailsRequestSchema,
        CancelRequest: s.cancelRequestSchema,
        PublishStatus: s.statusSchema,
        ValidationResult: s.validationResponseSchema,
        OfferList: s.offerListSchema,
        ProductPage: s.productPageSchema,
        LiveOfferList: s.liveOfferListSchema,
        CertificationReport: s.certificationReportSchema,
        StepDurations: s.stepDurationsSchema,
        DeprecationRequest: s.deprecationRequestSchema,
        DeprecationStatus: s.deprecationStatusSchema,
        History: audit.historyPageSchema,
        Changes: audit.changesSchema,
        WebhookRequest: audit.webhookRequestSchema,
        WebhookCreated: audit.webhookCreatedSchema,
        Webhook: audit.webhookSchema,
        ImageTestRequest: audit.imageTestRequestSchema,
        ImageTest: audit.imageTestSchema,
        Error: s.errorSchema,
      }),
    },
    paths: routePaths({
      listOffers: {
        get: {
          summary: 'The latest publish of each offer of the publisher',
          security: [{ bearer: [] }],
          parameters: [pathParam('publisherId')],
          responses: { '200': { description: 'Offers', content: json('OfferList') }, ...authErrors },
        },
      },
      stepDurations: {
        get: {
          summary: "How long each step took in recent closed runs (median, 90th percentile), the publisher's and everyone's",
          security: [{ bearer: [] }],
          parameters: [pathParam('publisherId')],
          responses: { '200': { description: 'Step durations', content: json('StepDurations') }, ...authErrors },
        },
      },
      publish: offerAction(
        'Start publishing the offer (restarts at validate after a failed or canceled run)',
        'PublishRequest',
        { '202': { ...statusResponse('Accepted; `Location` is the status path.'), headers: { Location: { schema: { type: 'string' } } } } },
        { '409': err(`${ErrorType.PublishInProgress}: a run of this offer is open.`) },
      ),
      validate: offerAction('Dry-run validation; starts nothing', 'ValidateRequest', {
        '200': { description: 'Validation messages per field', content: json('ValidationResult') },
      }),
      status: {
        get: {
          summary: 'Status of the latest publish',
          security: [{ bearer: [] }],
          parameters: offerPath,
          responses: { '200': statusResponse('Status'), ...authErrors, '404': err('NotFound: never published.') },
        },
      },
      certificationReport: {
        get: {
          summary: 'The full certification report of the latest publish: every check with its actual and required value and how to fix it',
          security: [{ bearer: [] }],
          parameters: offerPath,
          responses: {
            '200': { description: 'Report', content: json('CertificationReport') },
            ...authErrors,
            '404': err('NotFound: never published, or certification has not run in the latest publish.'),
          },
        },
      },
      goLive: offerAction('Go live (only while waiting at signoff)', undefined, { '202': statusResponse('Accepted') }, {
        '404': err('NotFound: never published.'),
        '409': err(`${ErrorType.InvalidState}: the run is not waiting for Go live.`),
      }),
      cancel: offerAction('Cancel the publish (up to and including signoff)', 'CancelRequest', { '202': statusResponse('Accepted') }, {
        '404': err('NotFound: never published.'),
        '409': err(`${ErrorType.InvalidState}: Go live was accepted or the run has ended.`),
      }),
      notificationEmails: offerAction(
        'Give the notification e-mails the run waits for after validate',
        'NotificationEmailsRequest',
        { '202': statusResponse('Accepted') },
        { '404': err('NotFound: never published.'), '409': err(`${ErrorType.InvalidState}: the run is not waiting for e-mails.`) },
      ),
      scheduleDeprecation: offerAction(
        'Schedule the deprecation of the live offer, a plan or an image version (again while scheduled: reschedule)',
        'DeprecationRequest',
        { '202': { description: 'Scheduled; `Location` is the deprecation path.', content: json('DeprecationStatus') } },
        {
          '409': err(
            `${ErrorType.OfferNotLive}: not live, or no such plan or version on the live page; ${ErrorType.NoticeTooShort}: effectiveAt before the minimum notice; ${ErrorType.DeprecationScheduled}: another part of the offer is being deprecated; ${ErrorType.InvalidState}: already effective.`,
          ),
        },
      ),
      deprecation: {
        get: {
          summary: 'The deprecation of the offer: its schedule, notices and state (Scheduled, Effective, Restored)',
          security: [{ bearer: [] }],
          parameters: offerPath,
          responses: { '200': { description: 'Deprecation', content: json('DeprecationStatus') }, ...authErrors, '404': err('NotFound: never deprecated.') },
        },
      },
      restoreDeprecation: {
        delete: {
          summary: 'Restore: before the deprecation takes effect, or within the restore window after',
          security: [{ bearer: [] }],
          parameters: offerPath,
          responses: {
            '202': { description: 'Restoring', content: json('DeprecationStatus') },
            ...authErrors,
            '404': err('NotFound: never deprecated.'),
            '409': err(`${ErrorType.InvalidState}: already restored, or the restore window has ended.`),
          },
        },
      },
      history: {
        get: {
          summary: 'Every run of the offer and every event that changed it, with its actor; newest first, paged',
          security: [{ bearer: [] }],
          parameters: [
            ...offerPath,
            { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          ],
          responses: { '200': { description: 'History', content: json('History') }, ...authErrors },
        },
      },
      changes: {
        get: {
          summary: "What the latest run's draft changes against the live version (secrets as changed/unchanged only)",
          security: [{ bearer: [] }],
          parameters: offerPath,
          responses: {
            '200': { description: 'Changes', content: json('Changes') },
            ...authErrors,
            '404': err('NotFound: no recorded publish.'),
            '409': err('LiveDraftUnknown: the live version predates recorded drafts.'),
          },
        },
      },
      putWebhook: {
        put: {
          summary: "Set the publisher's webhook; answers the signing secret, only this once",
          security: [{ bearer: [] }],
          parameters: [pathParam('publisherId')],
          requestBody: { required: true, content: json('WebhookRequest') },
          responses: { '200': { description: 'Set', content: json('WebhookCreated') }, ...authErrors },
        },
      },
      getWebhook: {
        get: {
          summary: "The publisher's webhook and its recent delivery attempts (no secret)",
          security: [{ bearer: [] }],
          parameters: [pathParam('publisherId')],
          responses: { '200': { description: 'Webhook', content: json('Webhook') }, ...authErrors, '404': err('NotFound: no webhook set.') },
        },
      },
      deleteWebhook: {
        delete: {
          summary: "Remove the publisher's webhook",
          security: [{ bearer: [] }],
          parameters: [pathParam('publisherId')],
          responses: { '204': { description: 'Removed' }, ...authErrors, '404': err('NotFound: no webhook set.') },
        },
      },
      startImageTest: {
        post: {
          summary: "Certify one image with the certify step's checks, no offer needed (rate-limited per publisher)",
          security: [{ bearer: [] }],
          parameters: [pathParam('publisherId')],
          requestBody: { required: true, content: json('ImageTestRequest') },
          responses: {
            '202': { description: 'Started; `Location` is the test path.', content: json('ImageTest'), headers: { Location: { schema: { type: 'string' } } } },
            ...authErrors,
            '429': err('TooManyImageTests: over the hourly limit; see Retry-After.'),
          },
        },
      },
      imageTest: {
        get: {
          summary: 'An image self-test: Running, or Passed/Failed with every check',
          security: [{ bearer: [] }],
          parameters: [pathParam('publisherId'), pathParam('testId')],
          responses: { '200': { description: 'Image test', content: json('ImageTest') }, ...authErrors, '404': err('NotFound: no such test.') },
        },
      },
      previewPage: {
        get: {
          summary: 'The preview product page, for allow-listed subscriptions (JSON, or HTML on Accept: text/html)',
          parameters: [...offerPath, { name: 'x-ms-subscription-id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            '200': { description: 'Preview page', content: { ...json('ProductPage'), 'text/html': { schema: { type: 'string' } } } },
            '400': err('Malformed subscription id.'),
            '403': err('The subscription is not allow-listed.'),
            '404': err('No preview.'),
          },
        },
      },
      liveOffers: {
        get: { summary: 'Live offers', responses: { '200': { description: 'Live offers', content: json('LiveOfferList') } } },
      },
      livePage: {
        get: {
          summary: 'A live product page (JSON, or HTML on Accept: text/html)',
          parameters: offerPath,
          responses: {
            '200': { description: 'Live page', content: { ...json('ProductPage'), 'text/html': { schema: { type: 'string' } } } },
            '404': err('Not live.'),
          },
        },
      },
      catalogLogo: {
        get: {
          summary: "A logo shown on a run's product pages (the marketplace's copy, PNG)",
          parameters: [
            ...offerPath,
            pathParam('runId'),
            { name: 'logoKind', in: 'path', required: true, schema: { type: 'string', enum: Object.keys(LOGO_SIZES) } },
          ],
          responses: {
            '200': { description: 'The logo', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } },
            '400': err('Malformed id or logo kind.'),
            '404': err('No such logo (the run was removed, or its offer has no logo of that kind).'),
          },
        },
      },
      openApi: { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document' } } } },
      health: { get: { summary: 'Health: 200 when Temporal is reachable', responses: { '200': { description: 'Healthy' }, '503': { description: 'Temporal unreachable' } } } },
    }),
  };
}
