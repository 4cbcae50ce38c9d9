/**
 * The HTML subset of offer descriptions, as one parser and one tag policy: the product page's
 * sanitiser and the validate step's report both come from `sanitizeHtmlReport`, so validate
 * reports exactly what the page would lose. Hand-written because the subset is tiny and the rule
 * is simple: the output contains only the allowed tags, which this code emits itself, only `href`
 * on links (absolute http/https), and escaped text. Everything else is dropped — attributes (on*,
 * style…), unknown tags, comments, and the *content* of script-like elements. Unbalanced markup
 * is balanced, so a description cannot leak into the page.
 */
import { escapeHtml, httpUrl } from './escape';

const ALLOWED = new Set(['p', 'br', 'b', 'strong', 'i', 'em', 'u', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a']);
/** The allowed subset, in words for publishers. */
export const ALLOWED_HTML_TEXT = 'p, br, b, strong, i, em, u, ul, ol, li, h1–h6, and a with an http(s) href';
/** Elements whose content is not shown text: dropped together with the element. */
const DROP_CONTENT = new Set([
  'script', 'style', 'textarea', 'title', 'iframe', 'noscript', 'noembed', 'noframes', 'xmp', 'plaintext',
  'template', 'svg', 'math', 'object', 'select', 'head',
]);
const MAX_DEPTH = 64;

interface Tag {
  name: string;
  /** In source order, duplicates included (the first of a name is the one that counts). */
  attrs: Array<{ name: string; value: string }>;
  /** Index just past the tag's `>` (or the end of input for an unterminated tag). */
  end: number;
  /** False when the input ended inside the tag: browsers drop such a tag, and so do we. */
  complete: boolean;
}

export interface SanitizedHtml {
  /** The sanitized markup (ready to insert into a page). */
  html: string;
  /**
   * What the sanitizer dropped, each reason once, in words for the publisher (never quoting an
   * attribute value). Empty exactly when nothing of the input was lost; escaping text, lower-casing
   * tag names and closing open elements are not losses.
   */
  dropped: string[];
}

/** Returns the sanitized markup (a string ready to insert into a page). */
export function sanitizeHtml(input: string): string {
  return sanitizeHtmlReport(input).html;
}

/** The sanitized markup and what sanitizing dropped. */
export function sanitizeHtmlReport(input: string): SanitizedHtml {
  const out: string[] = [];
  const open: string[] = [];
  const dropped = new Set<string>();
  const drop = (why: string) => void dropped.add(why);
  const n = input.length;
  let i = 0;

  const closeThrough = (name: string) => {
    const at = open.lastIndexOf(name);
    if (at === -1) return;
    while (open.length > at) out.push(`</${open.pop()}>`);
  };

  while (i < n) {
    const lt = input.indexOf('<', i);
    if (lt === -1) {
      out.push(escapeText(input.slice(i)));
      break;
    }
    if (lt > i) out.push(escapeText(input.slice(i, lt)));
    i = lt;

    if (input.startsWith('<!--', i)) {
      drop('HTML comments are not allowed');
      const end = input.indexOf('-->', i + 4);
      i = end === -1 ? n : end + 3;
      continue;
    }
    const next = input[i + 1] ?? '';
    if (next === '!' || next === '?') {
      drop('<!…> and <?…> markup is not allowed');
      i = skipPast(input, '>', i);
      continue;
    }
    const isEnd = next === '/';
    const nameStart = isEnd ? i + 2 : i + 1;
    if (!/[a-zA-Z]/.test(input[nameStart] ?? '')) {
      // `<` not starting a tag is text; `</` + non-letter is a bogus comment, as in browsers.
      if (isEnd) {
        drop('"</" must start an end tag such as </p> (write &lt;/ for the text)');
        i = skipPast(input, '>', i);
      } else {
        out.push('&lt;');
        i += 1;
      }
      continue;
    }

    const tag = parseTag(input, nameStart);
    i = tag.end;
    const name = tag.name;
    const shown = name.slice(0, 40);
    if (!tag.complete) {
      drop(`a <${isEnd ? '/' : ''}${shown}> tag is not closed with ">"`);
      break;
    }

    if (isEnd) {
      if (!ALLOWED.has(name)) drop(`the <${shown}> tag is not allowed`);
      else if (!open.includes(name)) drop(`the end tag </${shown}> has no start tag open`);
      else closeThrough(name);
      if (tag.attrs.length) drop('end tags cannot have attributes');
      continue;
    }
    if (DROP_CONTENT.has(name)) {
      drop(`the <${shown}> tag is not allowed`);
      const close = input.slice(i).search(new RegExp(`</${name}(?=[\\s/>]|$)`, 'i'));
      i = close === -1 ? n : skipPast(input, '>', i + close);
      continue;
    }
    if (!ALLOWED.has(name)) {
      drop(`the <${shown}> tag is not allowed`);
      continue;
    }
    const href = keptAttributes(name, tag.attrs, drop);
    if (name === 'br') {
      out.push('<br>');
      continue;
    }
    if (open.length >= MAX_DEPTH) {
      drop(`elements are nested more than ${MAX_DEPTH} deep`);
      continue;
    }
    if (name === 'a') {
      // Links do not nest: a link inside a link ends the outer one, as in browsers.
      if (open.includes('a')) drop('a link (<a>) cannot contain another link');
      closeThrough('a');
      out.push(href ? `<a href="${escapeHtml(href)}" rel="nofollow noopener noreferrer">` : '<a>');
    } else {
      out.push(`<${name}>`);
    }
    open.push(name);
  }
  while (open.length) out.push(`</${open.pop()}>`);
  return { html: out.join(''), dropped: [...dropped] };
}

/** The href a start tag keeps (links only); every other attribute is dropped, and said so. */
function keptAttributes(tag: string, attrs: Tag['attrs'], drop: (why: string) => void): string | undefined {
  let href: string | undefined;
  let seenHref = false;
  for (const a of attrs) {
    const name = a.name.slice(0, 40);
    if (a.name.startsWith('on')) drop(`event handler attributes such as ${name} are not allowed`);
    else if (tag !== 'a' || a.name !== 'href') drop(`the ${name} attribute on <${tag}> is not allowed`);
    else if (seenHref) drop('a link (<a>) has more than one href');
    else {
      seenHref = true;
      href = safeHref(a.value);
      if (!href) drop('links (<a href>) must be http:// or https:// URLs');
    }
  }
  return href;
}

/** Escapes text, keeping well-formed character references (they cannot create markup). */
function escapeText(text: string): string {
  return text
    .replace(/&(?!#\d{1,7};|#x[0-9a-f]{1,6};|[a-z][a-z0-9]{1,31};)/gi, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function skipPast(input: string, ch: string, from: number): number {
  const at = input.indexOf(ch, from);
  return at === -1 ? input.length : at + 1;
}

/** Parses a start or end tag from its name onwards, the way browsers split names and attributes. */
function parseTag(input: string, from: number): Tag {
  const n = input.length;
  let i = from;
  while (i < n && !/[\s/>]/.test(input[i])) i++;
  const name = input.slice(from, i).toLowerCase();
  const attrs: Tag['attrs'] = [];
  while (i < n) {
    while (i < n && /[\s/]/.test(input[i])) i++;
    if (i >= n) break;
    if (input[i] === '>') return { name, attrs, end: i + 1, complete: true };
    const attrStart = i;
    i++; // an attribute name may start with '='
    while (i < n && !/[\s/>=]/.test(input[i])) i++;
    const attrName = input.slice(attrStart, i).toLowerCase();
    while (i < n && /\s/.test(input[i])) i++;
    let value = '';
    if (input[i] === '=') {
      i++;
      while (i < n && /\s/.test(input[i])) i++;
      const q = input[i];
      if (q === '"' || q === "'") {
        const close = input.indexOf(q, i + 1);
        value = input.slice(i + 1, close === -1 ? n : close);
        i = close === -1 ? n : close + 1;
      } else {
        const start = i;
        while (i < n && !/[\s>]/.test(input[i])) i++;
        value = input.slice(start, i);
      }
    }
    attrs.push({ name: attrName, value });
  }
  return { name, attrs, end: n, complete: false };
}

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n', sol: '/',
  period: '.', lpar: '(', rpar: ')', num: '#', quest: '?', equals: '=', nbsp: '\u00a0',
};

/**
 * An href is kept only if, decoded as a browser decodes an attribute, it is an absolute http(s)
 * URL. Undecoded references cannot help an attacker: `&` is not a scheme character, so such a
 * string never parses as http(s) with a different scheme in the browser.
 */
function safeHref(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const decoded = value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
  return httpUrl(decoded);
}
