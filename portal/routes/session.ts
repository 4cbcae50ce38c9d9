/** Signing in and out, the language switch, and (for operators) choosing the publisher. */
import type { Router } from 'express';
import { ID_PATTERN } from '../../api/schemas';
import { isLanguage } from '../../domain/languages';
import { LANGUAGE_COOKIE } from '../language';
import { portalPaths, safeReturnPath } from '../paths';
import { cookieOptions, PRE_SESSION_COOKIE, requireSession, SESSION_COOKIE, sendPage, stateOf, viewContext, type PortalEnv } from '../request-state';
import type { Session } from '../sessions';
import { choosePublisherBody, signInBody } from '../views/simple-pages';

const YEAR_MS = 365 * 24 * 60 * 60_000;

/** Where a session starts: its publisher's offers, or for an operator the publisher list. */
const homeOf = (session: Session) => (session.principal.kind === 'publisher' ? portalPaths.offers(session.principal.publisherId) : portalPaths.choosePublisher());

export function sessionRoutes(router: Router, env: PortalEnv): void {
  router.get('/', (_req, res) => {
    const { session } = stateOf(res);
    res.redirect(303, session ? homeOf(session) : portalPaths.signIn());
  });

  router.get('/sign-in', (req, res) => {
    const s = stateOf(res);
    const next = safeReturnPath(req.query.next);
    if (s.session) return res.redirect(303, next ?? homeOf(s.session));
    const ctx = viewContext(env, req, res);
    const notice = req.query.ended ? s.t.sessionEnded : req.query.signedOut ? s.t.signedOut : undefined;
    sendPage(res, ctx, { title: s.t.signIn, body: signInBody(ctx, { next, notice }) });
  });

  router.post('/sign-in', async (req, res) => {
    const s = stateOf(res);
    const key = typeof req.body?.key === 'string' ? req.body.key.trim() : '';
    const next = safeReturnPath(req.body?.next);
    const principal = key ? env.identify(key) : undefined;
    if (!principal) {
      const ctx = viewContext(env, req, res);
      return sendPage(res, ctx, { title: s.t.signIn, body: signInBody(ctx, { next, error: s.t.signInFailed }) }, 401);
    }
    if (s.session) await env.sessions.destroy(s.session.id);
    // A new id at sign-in: an id known before it (a planted cookie) is worth nothing after.
    const session = await env.sessions.create(key, principal);
    res.cookie(SESSION_COOKIE, session.id, cookieOptions(env, req));
    res.clearCookie(PRE_SESSION_COOKIE, cookieOptions(env, req));
    res.redirect(303, next ?? homeOf(session));
  });

  router.post('/sign-out', async (req, res) => {
    const { session } = stateOf(res);
    if (session) await env.sessions.destroy(session.id);
    res.clearCookie(SESSION_COOKIE, cookieOptions(env, req));
    res.redirect(303, `${portalPaths.signIn()}?signedOut=1`);
  });

  router.post('/language', (req, res) => {
    const lang: unknown = req.body?.lang;
    if (isLanguage(lang)) res.cookie(LANGUAGE_COOKIE, lang, cookieOptions(env, req, YEAR_MS));
    res.redirect(303, safeReturnPath(req.body?.return) ?? portalPaths.home());
  });

  router.get('/publishers', requireSession, (req, res) => {
    const s = stateOf(res);
    const session = s.session!;
    if (session.principal.kind === 'publisher') return res.redirect(303, homeOf(session));
    const wanted = typeof req.query.publisherId === 'string' ? req.query.publisherId.trim() : undefined;
    if (wanted && ID_PATTERN.test(wanted)) return res.redirect(303, portalPaths.offers(wanted));
    const ctx = viewContext(env, req, res);
    const error = wanted !== undefined ? s.t.invalidPublisherId : undefined;
    sendPage(res, ctx, { title: s.t.choosePublisherHeading, body: choosePublisherBody(ctx, env.knownPublishers, error) }, error ? 400 : 200);
  });
}
