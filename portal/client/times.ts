/** Times arrive in UTC (so unchanged pages render the same bytes); show them in the reader's zone and language. */
export function localizeTimes(root: ParentNode): void {
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  for (const el of root.querySelectorAll<HTMLTimeElement>('time[data-local]')) {
    const at = new Date(el.dateTime);
    if (Number.isNaN(at.getTime())) continue;
    el.title = el.textContent ?? '';
    el.textContent = format.format(at);
    el.removeAttribute('data-local');
  }
}
