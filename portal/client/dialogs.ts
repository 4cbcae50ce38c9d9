/**
 * The e-mail prompt: rendered open in the page (usable without script), shown here as a modal
 * dialog, once per run unless reopened from its button.
 */
const dismissed = new Set<string>();

export function enableDialogs(root: ParentNode): void {
  for (const dialog of root.querySelectorAll<HTMLDialogElement>('dialog[data-auto-open]')) {
    const key = dialog.dataset.autoOpen ?? '';
    if (dialog.open) dialog.close();
    if (!dismissed.has(key)) showModal(dialog);
    // A close event for the close() just above arrives while the dialog is open again: ignore it.
    dialog.addEventListener('close', () => {
      if (!dialog.open) dismissed.add(key);
    });
  }
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-close-dialog]')) {
    button.addEventListener('click', () => button.closest('dialog')?.close());
  }
  for (const opener of root.querySelectorAll<HTMLElement>('[data-open-dialog]')) {
    opener.addEventListener('click', (event) => {
      const dialog = document.getElementById(opener.dataset.openDialog ?? '');
      if (!(dialog instanceof HTMLDialogElement)) return;
      event.preventDefault();
      if (dialog.open) dialog.close();
      showModal(dialog);
    });
  }
}

function showModal(dialog: HTMLDialogElement): void {
  dialog.showModal();
  dialog.querySelector<HTMLInputElement>('input:not([type=hidden])')?.focus();
}
