/**
 * The Editor: a new offer (its id is a field) or an existing one (its Editor tab). Validate is the
 * API's dry run; Publish validates first and publishes only a draft without errors, in the
 * portal's language (the run's e-mails follow it).
 */
import type { Request, Response, Router } from 'express';
import { ID_PATTERN } from '../../api/schemas';
import { buildDraft, emailsOf, emptyEditorInput, placeMessages, placeRequestErrors, readEditorForm, type EditorInput, type PlacedMessages } from '../draft-form';
import { portalPaths, portalRoutes } from '../paths';
import { apiErrorPage, apiFor, redirectWith, requireSession, sendPage, stateOf, viewContext, type PortalEnv } from '../request-state';
import { editorBody, type EditorView } from '../views/editor';
import { availableActions } from '../views/status-model';
import { notFoundPage, pathIds } from './offers';

export function editorRoutes(router: Router, env: PortalEnv): void {
  const render = (req: Request, res: Response, v: EditorView, status = 200) => {
    const ctx = viewContext(env, req, res, v.publisherId);
    const title = v.offerId ? ctx.t.editorHeading(v.title ?? v.offerId) : ctx.t.editorHeadingNew;
    sendPage(res, ctx, { title, body: editorBody(ctx, v) }, status);
  };

  /**
   * The offer's title, and why Publish is not possible now (a run is open); an API refusal to read
   * it (another publisher's offer) is answered here and `undefined` returned.
   */
  const offerState = async (req: Request, res: Response, publisherId: string, offerId?: string) => {
    const api = apiFor(req, res);
    const list = await api.listOffers({ publisherId });
    if (!list.ok) {
      await apiErrorPage(env, req, res, list, { publisherId });
      return undefined;
    }
    const summary = offerId ? list.body.offers.find((o) => o.offerId === offerId) : undefined;
    let publishBlocked: string | undefined;
    if (summary) {
      const status = await api.status({ publisherId, offerId: offerId! });
      if (status.ok && !availableActions(status.body).publishAgain) publishBlocked = stateOf(res).t.reasonPublishInProgress;
    }
    return { title: summary?.title, publishBlocked };
  };

  const show = async (req: Request, res: Response) => {
    const ids = pathIds(req);
    if (!ids) return notFoundPage(env, req, res);
    const state = await offerState(req, res, ids.publisherId, ids.offerId);
    if (!state) return;
    render(req, res, { publisherId: ids.publisherId, offerId: ids.offerId, ...state, input: emptyEditorInput() });
  };

  const submit = async (req: Request, res: Response) => {
    const ids = pathIds(req);
    if (!ids) return notFoundPage(env, req, res);
    const { t, lang } = stateOf(res);
    const form = readEditorForm(req.body ?? {});
    const state = await offerState(req, res, ids.publisherId, ids.offerId);
    if (!state) return;
    const base = { publisherId: ids.publisherId, offerId: ids.offerId, ...state };
    const offerId = ids.offerId ?? form.offerId;
    const refuse = (input: EditorInput, messages: PlacedMessages, status = 400) => render(req, res, { ...base, input, messages, outcome: { kind: 'problems' } }, status);

    if (!ids.offerId && !ID_PATTERN.test(offerId)) {
      return refuse(form, { byTarget: { offerId: [{ level: 'Error', text: t.offerIdHint }] }, json: [], general: [] });
    }
    const built = buildDraft(form);
    if (!built.ok) {
      const text = built.jsonError.kind === 'syntax' ? t.invalidJson(built.jsonError.detail) : t.jsonNotObject;
      return refuse(form, { byTarget: {}, json: [{ level: 'Error', text }], general: [] });
    }
    const api = apiFor(req, res);
    const target = { publisherId: ids.publisherId, offerId };
    const checked = await api.validate(target, built.draft);
    if (!checked.ok) {
      if (checked.status === 400) return refuse(built.input, placeRequestErrors(checked.error.details ?? [{ path: '(root)', message: checked.error.message }]));
      if (checked.status === 413) return refuse(built.input, { byTarget: {}, json: [{ level: 'Error', text: t.tooLarge }], general: [] }, 413);
      return apiErrorPage(env, req, res, checked, target);
    }
    const messages = placeMessages(checked.body.messages);
    if (!checked.body.valid) return refuse(built.input, messages);
    const warnings = checked.body.messages.filter((m) => m.level === 'Warning').length;
    if (req.body?.action !== 'publish' || state.publishBlocked) {
      return render(req, res, { ...base, input: built.input, messages, outcome: { kind: 'passed', warnings } });
    }

    const emails = emailsOf(form.emails);
    const published = await api.publish(target, { offer: built.draft, ...(emails.length ? { notificationEmails: emails } : {}), language: lang });
    if (published.ok) return redirectWith(env, res, portalPaths.offer(ids.publisherId, offerId), { kind: 'success', text: t.flashPublished });
    if (published.status === 400) return refuse(built.input, placeRequestErrors(published.error.details ?? [{ path: '(root)', message: published.error.message }]));
    if (published.status === 409) {
      return render(req, res, { ...base, input: built.input, messages, outcome: { kind: 'refused', text: t.refused(published.error.message) } }, 409);
    }
    await apiErrorPage(env, req, res, published, target);
  };

  router.get(portalRoutes.newOffer, requireSession, show);
  router.post(portalRoutes.newOffer, requireSession, submit);
  router.get(`${portalRoutes.offer}/editor`, requireSession, show);
  router.post(`${portalRoutes.offer}/editor`, requireSession, submit);
}
