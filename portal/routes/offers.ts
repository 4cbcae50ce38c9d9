/**
 * All offers and an offer's Status tab (with their live-update JSON), the certification report,
 * the preview, and the Status tab's actions: Go live, cancel, notification e-mails.
 */
import type { Request, Response, Router } from 'express';
import { ID_PATTERN } from '../../api/schemas';
import type { CertificationReport } from '../../domain/certification';
import type { PortalApi } from '../api-client';
import { emailsOf } from '../draft-form';
import { portalPaths, portalRoutes } from '../paths';
import { apiErrorPage, apiFor, redirectWith, requireSession, sendPage, stateOf, viewContext, type PortalEnv } from '../request-state';
import type { ViewContext } from '../views/layout';
import { certificationBody } from '../views/certification';
import { offersBody, offersRegions, parseStatusFilter } from '../views/offers';
import { liveReply, type LiveReply } from '../views/regions';
import { cancelBody, errorBody, previewFormBody } from '../views/simple-pages';
import { statusBody, statusRegions } from '../views/status';
import type { StatusView } from '../views/status-model';

type Ids = { publisherId: string; offerId: string };

/** The path's ids, when they are ids at all (anything else is a 404 page, not a call to the API). */
export function pathIds(req: Request): { publisherId: string; offerId?: string } | undefined {
  const { publisherId, offerId } = req.params as { publisherId?: string; offerId?: string };
  if (!publisherId || !ID_PATTERN.test(publisherId) || (offerId !== undefined && !ID_PATTERN.test(offerId))) return undefined;
  return { publisherId, offerId };
}

export function notFoundPage(env: PortalEnv, req: Request, res: Response): void {
  const { t } = stateOf(res);
  const ctx = viewContext(env, req, res);
  sendPage(res, ctx, { title: t.errNotFoundTitle, body: errorBody(ctx, { heading: t.errNotFoundTitle, text: t.errNotFound }) }, 404);
}

/** Sends the live-update JSON: 204 when the page already shows this version. */
function sendLive(req: Request, res: Response, reply: LiveReply): void {
  if (req.query.since === reply.version) {
    res.status(204).end();
    return;
  }
  res.json(reply);
}

/** The offer's title as submitted (from the offer list), else its id. */
async function titleOf(api: PortalApi, ids: Ids): Promise<string> {
  const list = await api.listOffers(ids);
  return (list.ok && list.body.offers.find((o) => o.offerId === ids.offerId)?.title) || ids.offerId;
}

export function offerRoutes(router: Router, env: PortalEnv): void {
  /** Reports of finished certifications never change: kept per run (the status read before proved access). */
  const reports = new Map<string, CertificationReport>();

  const statusView = async (api: PortalApi, ids: Ids, title: string): Promise<StatusView | { status: number; error: { code: string; message: string } }> => {
    const status = await api.status(ids);
    if (!status.ok) return status;
    const s = status.body;
    const certifyFailed = s.steps.some((st) => st.id === 'certify' && st.status === 'Failed');
    const reportKey = `${ids.publisherId}/${ids.offerId}/${s.runId}`;
    const atSignoff = s.status === 'WaitingForPublisherReview' && s.currentStep === 'signoff';
    const [durations, report, history, changes] = await Promise.all([
      api.stepDurations(ids),
      certifyFailed && !reports.has(reportKey) ? api.certificationReport(ids) : undefined,
      api.history(ids),
      atSignoff ? api.changes(ids) : undefined,
    ]);
    if (report?.ok) {
      reports.set(reportKey, report.body);
      if (reports.size > 200) reports.delete(reports.keys().next().value!);
    }
    return {
      ...ids,
      title,
      status: s,
      durations: durations.ok ? durations.body : undefined,
      report: certifyFailed ? reports.get(reportKey) : undefined,
      history: history.ok ? history.body : undefined,
      changes: changes?.ok ? changes.body : undefined,
    };
  };

  const renderStatus = (req: Request, res: Response, v: StatusView, status = 200) => {
    const ctx = viewContext(env, req, res, v.publisherId);
    const reply = liveReply(statusRegions(ctx, v));
    sendPage(res, ctx, { title: v.title, body: statusBody(ctx, v, reply), live: { url: portalPaths.live(portalPaths.offer(v.publisherId, v.offerId)), version: reply.version } }, status);
  };

  // All offers.
  const offersData = async (req: Request, res: Response, publisherId: string) => {
    const list = await apiFor(req, res).listOffers({ publisherId });
    return { list, view: list.ok ? { publisherId, offers: list.body.offers, filter: parseStatusFilter(req.query.status) } : undefined };
  };
  router.get(portalRoutes.offers, requireSession, async (req, res) => {
    const ids = pathIds(req);
    if (!ids) return notFoundPage(env, req, res);
    const { list, view } = await offersData(req, res, ids.publisherId);
    if (!list.ok || !view) return apiErrorPage(env, req, res, list as Extract<typeof list, { ok: false }>, ids);
    const ctx = viewContext(env, req, res, ids.publisherId);
    const reply = liveReply(offersRegions(ctx, view));
    const query = view.filter ? `?status=${view.filter}` : '';
    sendPage(res, ctx, { title: ctx.t.allOffers, body: offersBody(ctx, view, reply), live: { url: portalPaths.live(portalPaths.offers(ids.publisherId)) + query, version: reply.version } });
  });
  router.get(portalRoutes.live + portalRoutes.offers, requireSession, async (req, res) => {
    const ids = pathIds(req);
    if (!ids) return void res.status(404).json({});
    const { list, view } = await offersData(req, res, ids.publisherId);
    if (!list.ok || !view) return void res.status(list.status).json({});
    sendLive(req, res, liveReply(offersRegions(viewContext(env, req, res, ids.publisherId), view)));
  });

  // The Status tab.
  router.get(portalRoutes.offer, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return notFoundPage(env, req, res);
    const api = apiFor(req, res);
    const v = await statusView(api, ids, await titleOf(api, ids));
    if (!('title' in v)) return apiErrorPage(env, req, res, v, ids);
    renderStatus(req, res, v);
  });
  router.get(portalRoutes.live + portalRoutes.offer, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return void res.status(404).json({});
    // The title is not in a region: the live JSON needs no offer list.
    const v = await statusView(apiFor(req, res), ids, ids.offerId);
    if (!('title' in v)) return void res.status(v.status).json({});
    sendLive(req, res, liveReply(statusRegions(viewContext(env, req, res, ids.publisherId), v)));
  });

  router.get(`${portalRoutes.offer}/certification`, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return notFoundPage(env, req, res);
    const api = apiFor(req, res);
    const [report, title] = await Promise.all([api.certificationReport(ids), titleOf(api, ids)]);
    // 404 here means "not certified yet" when the offer exists; the status says which.
    if (!report.ok && report.status === 404) {
      const status = await api.status(ids);
      if (!status.ok) return apiErrorPage(env, req, res, status, ids);
    } else if (!report.ok) return apiErrorPage(env, req, res, report, ids);
    const ctx = viewContext(env, req, res, ids.publisherId);
    sendPage(res, ctx, { title: ctx.t.certHeading(title), body: certificationBody(ctx, { ...ids, title, report: report.ok ? report.body : undefined }) });
  });

  router.get(`${portalRoutes.offer}/preview`, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return notFoundPage(env, req, res);
    const api = apiFor(req, res);
    const [status, title] = await Promise.all([api.status(ids), titleOf(api, ids)]);
    if (!status.ok) return apiErrorPage(env, req, res, status, ids);
    const subscriptionId = typeof req.query.subscriptionId === 'string' ? req.query.subscriptionId.trim() : undefined;
    const ctx = viewContext(env, req, res, ids.publisherId);
    const form = (error?: string, code = 200) =>
      sendPage(res, ctx, { title: ctx.t.previewHeading(title), body: previewFormBody(ctx, { ...ids, title, value: subscriptionId, error }) }, code);
    if (!subscriptionId) return form();
    const page = await api.previewHtml(ids, subscriptionId);
    if (!page.ok) return form(page.error.message, page.status);
    // The product page is the publisher's content: shown in a sandbox (its own origin, no script).
    res.set('Content-Security-Policy', "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    res.type('html').send(page.body);
  });

  router.post(`${portalRoutes.offer}/golive`, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return notFoundPage(env, req, res);
    const { t } = stateOf(res);
    const reply = await apiFor(req, res).goLive(ids);
    if (reply.ok) return redirectWith(env, res, portalPaths.offer(ids.publisherId, ids.offerId), { kind: 'success', text: t.flashGoLive });
    if (reply.status === 409) return redirectWith(env, res, portalPaths.offer(ids.publisherId, ids.offerId), { kind: 'error', text: t.refused(reply.error.message) });
    await apiErrorPage(env, req, res, reply, ids);
  });

  const renderCancel = async (req: Request, res: Response, ids: Ids, extra: { reason?: string; error?: string; refusal?: string } = {}, code = 200) => {
    const title = await titleOf(apiFor(req, res), ids);
    const ctx: ViewContext = viewContext(env, req, res, ids.publisherId);
    sendPage(res, ctx, { title: ctx.t.cancelHeading(title), body: cancelBody(ctx, { ...ids, title, ...extra }) }, code);
  };
  router.get(`${portalRoutes.offer}/cancel`, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return notFoundPage(env, req, res);
    const status = await apiFor(req, res).status(ids);
    if (!status.ok) return apiErrorPage(env, req, res, status, ids);
    // Nothing to confirm when the run no longer accepts a cancel: the Status tab says why.
    if (!status.body.cancellable) return res.redirect(303, portalPaths.offer(ids.publisherId, ids.offerId));
    await renderCancel(req, res, ids);
  });
  router.post(`${portalRoutes.offer}/cancel`, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return notFoundPage(env, req, res);
    const { t } = stateOf(res);
    const reason = typeof req.body?.reason === 'string' ? req.body.reason.trim() : '';
    const reply = await apiFor(req, res).cancel(ids, reason);
    if (reply.ok) return redirectWith(env, res, portalPaths.offer(ids.publisherId, ids.offerId), { kind: 'success', text: t.flashCanceled });
    if (reply.status === 400) return renderCancel(req, res, ids, { reason, error: reply.error.details?.map((d) => d.message).join(' ') ?? reply.error.message }, 400);
    if (reply.status === 409) return renderCancel(req, res, ids, { reason, refusal: t.refused(reply.error.message) }, 409);
    await apiErrorPage(env, req, res, reply, ids);
  });

  router.post(`${portalRoutes.offer}/notification-emails`, requireSession, async (req, res) => {
    const ids = pathIds(req) as Ids | undefined;
    if (!ids) return notFoundPage(env, req, res);
    const { t } = stateOf(res);
    const value = typeof req.body?.emails === 'string' ? req.body.emails : '';
    const api = apiFor(req, res);
    const reply = await api.notificationEmails(ids, emailsOf(value));
    if (reply.ok) return redirectWith(env, res, portalPaths.offer(ids.publisherId, ids.offerId), { kind: 'success', text: t.flashEmails });
    if (reply.status === 409) return redirectWith(env, res, portalPaths.offer(ids.publisherId, ids.offerId), { kind: 'error', text: t.refused(reply.error.message) });
    if (reply.status !== 400) return apiErrorPage(env, req, res, reply, ids);
    // The prompt again, with what was typed and each address's problem beside it.
    const v = await statusView(api, ids, await titleOf(api, ids));
    if (!('title' in v)) return apiErrorPage(env, req, res, v, ids);
    const typed = emailsOf(value);
    const errors = reply.error.details?.map((d) => {
      const i = /\[(\d+)\]/.exec(d.path)?.[1];
      return i !== undefined && typed[Number(i)] ? `${typed[Number(i)]}: ${d.message}` : d.message;
    }) ?? [reply.error.message];
    renderStatus(req, res, { ...v, emails: { value, errors } }, 400);
  });
}
