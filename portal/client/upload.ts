/** An uploaded offer JSON file goes into the editor's JSON field; it is sent like pasted text. */
export function enableUploads(root: ParentNode): void {
  for (const input of root.querySelectorAll<HTMLInputElement>('input[type=file][data-json-into]')) {
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      const target = document.getElementById(input.dataset.jsonInto ?? '');
      if (!file || !(target instanceof HTMLTextAreaElement)) return;
      void file.text().then((text) => {
        target.value = text;
        target.focus();
      });
    });
  }
}
