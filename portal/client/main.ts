/**
 * The portal's one script (bundled by esbuild, served from the portal; the CSP allows no other).
 * The pages work without it; it adds live updates, local times, the e-mail pop-up as a modal
 * dialog, and reading an uploaded JSON file into the editor.
 */
import { enableDialogs } from './dialogs';
import { startLiveUpdates } from './live';
import { localizeTimes } from './times';
import { enableUploads } from './upload';

function enhance(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('.js-only')) el.hidden = false;
  localizeTimes(root);
  enableDialogs(root);
  enableUploads(root);
}

enhance(document);
startLiveUpdates(enhance);
// After a refused form, the summary of what to fix takes the focus (and is read out).
document.querySelector<HTMLElement>('#outcome[tabindex]')?.focus();
