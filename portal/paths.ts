/**
 * Every portal URL, written once. Pages live under /portal/publishers/{publisherId}/…; the JSON a
 * page polls for live updates is the same path under /portal/live (so an offer called "live" is
 * still just an offer).
 */
const enc = encodeURIComponent;

export const PORTAL_MOUNT = '/portal';
const LIVE = '/live';

export const portalPaths = {
  home: () => `${PORTAL_MOUNT}/`,
  signIn: () => `${PORTAL_MOUNT}/sign-in`,
  signOut: () => `${PORTAL_MOUNT}/sign-out`,
  language: () => `${PORTAL_MOUNT}/language`,
  choosePublisher: () => `${PORTAL_MOUNT}/publishers`,
  offers: (p: string) => `${PORTAL_MOUNT}/publishers/${enc(p)}/offers`,
  newOffer: (p: string) => `${PORTAL_MOUNT}/publishers/${enc(p)}/new-offer`,
  offer: (p: string, o: string) => `${PORTAL_MOUNT}/publishers/${enc(p)}/offers/${enc(o)}`,
  editor: (p: string, o: string) => `${portalPaths.offer(p, o)}/editor`,
  certification: (p: string, o: string) => `${portalPaths.offer(p, o)}/certification`,
  preview: (p: string, o: string) => `${portalPaths.offer(p, o)}/preview`,
  cancel: (p: string, o: string) => `${portalPaths.offer(p, o)}/cancel`,
  goLive: (p: string, o: string) => `${portalPaths.offer(p, o)}/golive`,
  notificationEmails: (p: string, o: string) => `${portalPaths.offer(p, o)}/notification-emails`,
  /** The live-update JSON of the page at `pagePath` (a portal path). */
  live: (pagePath: string) => `${PORTAL_MOUNT}${LIVE}${pagePath.slice(PORTAL_MOUNT.length)}`,
  asset: (name: string) => `${PORTAL_MOUNT}/assets/${name}`,
};

/** Router-relative patterns (the router is mounted at PORTAL_MOUNT). */
export const portalRoutes = {
  offers: '/publishers/:publisherId/offers',
  newOffer: '/publishers/:publisherId/new-offer',
  offer: '/publishers/:publisherId/offers/:offerId',
  live: LIVE,
};

/** `next` after sign-in: a path inside the portal only, never another site. */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(`${PORTAL_MOUNT}/`) || value.startsWith('//') || /[\\\s]/.test(value)) return undefined;
  return value;
}
