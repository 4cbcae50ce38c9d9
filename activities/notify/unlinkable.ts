/**
 * Text from an offer or its images, as e-mails show it: mail clients turn anything that looks
 * like a URL, a host name or an address into a link, so a title such as "Visit
 * https://evil.example" would reach its readers as a clickable link in our name. What a linkifier
 * would link (linkify-it, with schemes, e-mail addresses, IP addresses and bare host names under
 * every IANA top-level domain) is "defanged" the way security notices write it —
 * `https[:]//evil[.]example`, `sales[at]evil[.]shop` — still readable, no longer a link in any
 * client. Everything else (words, versions, file and field names) is left as it was.
 */
import { LinkifyIt } from 'linkify-it';
import tlds from 'tlds';

const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true }).tlds(tlds);

const defang = (token: string): string => token.replace(/:\/\//g, '[:]//').replace(/\./g, '[.]').replace(/@/g, '[at]');

export function unlinkable(text: string): string {
  const matches = linkify.match(text);
  if (!matches) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.index) + defang(text.slice(m.index, m.lastIndex));
    at = m.lastIndex;
  }
  return out + text.slice(at);
}
