/**
 * Live updates: every second (while the page is visible) ask the page's live URL whether anything
 * changed since the version shown; on a change, swap in the regions that differ, keeping the focus.
 * The fragments are the server's own rendering of the same regions, escaped there.
 */
const INTERVAL_MS = 1000;

interface LiveReply {
  version: string;
  regions: Record<string, { version: string; html: string }>;
}

interface TrustedTypesApi {
  createPolicy(name: string, rules: { createHTML(input: string): string }): { createHTML(input: string): string };
}

// The CSP requires Trusted Types: this policy is the one way markup enters the page, and it only
// ever carries the portal's own server-rendered regions.
const policy = (window as unknown as { trustedTypes?: TrustedTypesApi }).trustedTypes?.createPolicy('portal-fragments', { createHTML: (s) => s });

export function startLiveUpdates(enhance: (root: ParentNode) => void): void {
  const main = document.querySelector<HTMLElement>('main[data-live-url]');
  if (!main) return;
  const url = main.dataset.liveUrl ?? '';
  let version = main.dataset.liveVersion ?? '';
  let timer: number | undefined;

  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void poll(), INTERVAL_MS);
  };

  const poll = async () => {
    if (document.hidden) return; // resumed by visibilitychange
    try {
      const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}since=${encodeURIComponent(version)}`, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      // Signed out, or no longer allowed: the page itself says so.
      if (res.status === 401 || res.status === 403) return window.location.reload();
      if (res.status === 200) {
        const reply = (await res.json()) as LiveReply;
        version = reply.version;
        for (const [name, region] of Object.entries(reply.regions)) swap(main, name, region, enhance);
      }
    } catch {
      /* offline for a moment: try again */
    }
    schedule();
  };

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void poll();
  });
  schedule();
}

function swap(main: HTMLElement, name: string, region: { version: string; html: string }, enhance: (root: ParentNode) => void): void {
  const el = main.querySelector<HTMLElement>(`[data-region="${CSS.escape(name)}"]`);
  if (!el || el.dataset.regionVersion === region.version) return;
  const active = document.activeElement;
  const focusedId = active && el.contains(active) ? active.id : '';
  const template = document.createElement('template');
  template.innerHTML = policy ? policy.createHTML(region.html) : region.html;
  el.replaceChildren(template.content);
  el.dataset.regionVersion = region.version;
  enhance(el);
  if (focusedId) document.getElementById(focusedId)?.focus();
}
