/**
 * The HTML subset allowed in offer descriptions. A tag scanner, not a sanitiser: anything outside
 * the subset is reported so the publisher fixes it (product pages render the description).
 */

const ALLOWED_TAGS = new Set(['p', 'br', 'b', 'strong', 'i', 'em', 'u', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a']);
export const ALLOWED_HTML_TEXT = 'p, br, b, strong, i, em, u, ul, ol, li, h1–h6, and a with an http(s) href';

interface Attr {
  name: string;
  value?: string;
}

/** Attributes from `pos` to the closing `>`; `end` is -1 when the tag is never closed. */
function scanAttributes(html: string, pos: number): { attrs: Attr[]; end: number } {
  const attrs: Attr[] = [];
  let i = pos;
  for (;;) {
    while (i < html.length && /[\s/]/.test(html[i])) i++;
    if (i >= html.length) return { attrs, end: -1 };
    if (html[i] === '>') return { attrs, end: i + 1 };
    const name = /^[^\s"'>/=]+/.exec(html.slice(i))?.[0] ?? html[i];
    i += name.length;
    while (i < html.length && /\s/.test(html[i])) i++;
    let value: string | undefined;
    if (html[i] === '=') {
      i++;
      while (i < html.length && /\s/.test(html[i])) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, i + 1);
        if (close < 0) return { attrs, end: -1 };
        value = html.slice(i + 1, close);
        i = close + 1;
      } else {
        value = /^[^\s>]*/.exec(html.slice(i))![0];
        i += value.length;
      }
    }
    attrs.push({ name: name.toLowerCase().slice(0, 40), value });
  }
}

/** Problems, each once, in words for the publisher (never echoing attribute values). */
export function htmlSubsetProblems(html: string): string[] {
  const problems = new Set<string>();
  for (let i = html.indexOf('<'); i >= 0 && i < html.length; i = html.indexOf('<', i)) {
    const rest = html.slice(i, i + 80);
    if (rest.startsWith('<!--')) {
      problems.add('HTML comments are not allowed');
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (/^<[!?]/.test(rest)) {
      problems.add('<!…> and <?…> markup is not allowed');
      const end = html.indexOf('>', i);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    const m = /^<(\/?)([A-Za-z][A-Za-z0-9-]{0,40})/.exec(rest);
    if (!m) {
      i++; // a literal "<" in text
      continue;
    }
    const closing = m[1] === '/';
    const tag = m[2].toLowerCase();
    const { attrs, end } = scanAttributes(html, i + m[0].length);
    if (end < 0) {
      problems.add(`a <${tag}> tag is not closed with ">"`);
      break;
    }
    i = end;
    if (!ALLOWED_TAGS.has(tag)) {
      problems.add(`the <${tag}> tag is not allowed`);
      continue;
    }
    if (closing) continue;
    for (const a of attrs) {
      if (a.name.startsWith('on')) problems.add(`event handler attributes such as ${a.name} are not allowed`);
      else if (tag !== 'a' || a.name !== 'href') problems.add(`the ${a.name} attribute on <${tag}> is not allowed`);
      else if (!/^https?:\/\/[^\s]+$/i.test((a.value ?? '').trim())) problems.add('links (<a href>) must be http:// or https:// URLs');
    }
  }
  return [...problems];
}
