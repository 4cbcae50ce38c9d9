/**
 * Every route of the HTTP API, each written once as an OpenAPI path template with its method. The
 * routers register them, the OpenAPI document lists them, and the workflow builds its links
 * (status, preview, live) with them, so a link in a status or an e-mail is a route the API serves.
 * Imported by workflow code: no imports, no Node built-ins.
 */

export const API_ROUTES = {
  listOffers: { method: 'get', path: '/api/publishers/{publisherId}/offers' },
  stepDurations: { method: 'get', path: '/api/publishers/{publisherId}/step-durations' },
  publish: { method: 'post', path: '/api/publishers/{publisherId}/offers/{offerId}/publish' },
  validate: { method: 'post', path: '/api/publishers/{publisherId}/offers/{offerId}/validate' },
  status: { method: 'get', path: '/api/publishers/{publisherId}/offers/{offerId}/status' },
  certificationReport: { method: 'get', path: '/api/publishers/{publisherId}/offers/{offerId}/certification-report' },
  goLive: { method: 'post', path: '/api/publishers/{publisherId}/offers/{offerId}/golive' },
  cancel: { method: 'post', path: '/api/publishers/{publisherId}/offers/{offerId}/cancel' },
  notificationEmails: { method: 'post', path: '/api/publishers/{publisherId}/offers/{offerId}/notification-emails' },
  /** After Go live: schedule (or reschedule) a deprecation, read it, restore it (docs/process.md, "After Go live"). */
  scheduleDeprecation: { method: 'post', path: '/api/publishers/{publisherId}/offers/{offerId}/deprecation' },
  deprecation: { method: 'get', path: '/api/publishers/{publisherId}/offers/{offerId}/deprecation' },
  restoreDeprecation: { method: 'delete', path: '/api/publishers/{publisherId}/offers/{offerId}/deprecation' },
  /** Every run and event of an offer, newest first (docs/http-api.md#history). */
  history: { method: 'get', path: '/api/publishers/{publisherId}/offers/{offerId}/history' },
  /** What the latest run's draft changes against the live version (docs/http-api.md#changes). */
  changes: { method: 'get', path: '/api/publishers/{publisherId}/offers/{offerId}/changes' },
  /** The publisher's webhook (docs/http-api.md#webhooks). */
  putWebhook: { method: 'put', path: '/api/publishers/{publisherId}/webhook' },
  getWebhook: { method: 'get', path: '/api/publishers/{publisherId}/webhook' },
  deleteWebhook: { method: 'delete', path: '/api/publishers/{publisherId}/webhook' },
  /** Image self-tests: certification of one image, no offer needed (docs/http-api.md#image-self-test). */
  startImageTest: { method: 'post', path: '/api/publishers/{publisherId}/image-tests' },
  imageTest: { method: 'get', path: '/api/publishers/{publisherId}/image-tests/{testId}' },
  previewPage: { method: 'get', path: '/api/preview/offers/{publisherId}/{offerId}' },
  liveOffers: { method: 'get', path: '/api/marketplace/offers' },
  livePage: { method: 'get', path: '/api/marketplace/offers/{publisherId}/{offerId}' },
  /** A logo a run's pages show, from our copy (the publisher's URL and SAS never reach a page). */
  catalogLogo: { method: 'get', path: '/api/catalog-assets/{publisherId}/{offerId}/{runId}/logos/{logoKind}' },
  openApi: { method: 'get', path: '/openapi.json' },
  health: { method: 'get', path: '/healthz' },
} as const satisfies Record<string, { method: 'get' | 'post' | 'put' | 'delete'; path: string }>;

export type ApiRoute = keyof typeof API_ROUTES;

/** Where the routers are mounted: the publisher-scoped routes sit under `publisher` (behind its auth). */
export const API_SCOPES = { publisher: '/api/publishers/{publisherId}', api: '/api' } as const;

/** The path of `route` with its parameters filled in, percent-encoded. */
export function apiPath(route: ApiRoute, params: Record<string, string> = {}): string {
  return API_ROUTES[route].path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`apiPath(${route}): no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

/** An absolute link to `route`, under the API's public base URL (config: no trailing slash). */
export function apiUrl(baseUrl: string, route: ApiRoute, params: Record<string, string> = {}): string {
  return `${baseUrl}${apiPath(route, params)}`;
}
