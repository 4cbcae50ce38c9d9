/** Renders a product page as one self-contained HTML document (inline CSS, no scripts). */
import type { ProductPage } from './model';
import { html, raw, type SafeHtml } from '../html/escape';
import { renderDeprecationBanner } from './render-deprecation';

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1b1b1b;background:#f5f5f5}
main{max-width:960px;margin:0 auto;padding:24px;background:#fff}
.banner{padding:8px 24px;background:#fff4ce;border-bottom:1px solid #e6d28a}
.banner.live{background:#dff6dd;border-color:#9fd89f}
.banner.deprecated{background:#fde7e9;border-color:#f1bbbc}.banner.deprecated p{margin:4px 0}
header{display:flex;gap:16px;align-items:center}
header img{width:90px;height:90px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
.sku{border-top:1px solid #ddd;margin-top:16px}
.terms{white-space:pre-wrap}
`;

export function renderProductPageHtml(page: ProductPage): string {
  const banner =
    page.stage === 'live'
      ? html`<div class="banner live">Live on the marketplace${page.liveSince ? html` since ${page.liveSince}` : ''}</div>`
      : html`<div class="banner">Preview — visible only to the subscriptions the publisher allow-listed.</div>`;
  const logo = page.logos.medium ?? page.logos.large ?? page.logos.small;
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src http: https:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
${banner}
${renderDeprecationBanner(page)}
<main>
<header>${logo ? html`<img src="${logo}" alt="">` : ''}<div><h1>${page.title}</h1><p>${page.summary}</p></div></header>
${page.categories.length ? html`<p>Categories: ${page.categories.join(', ')}</p>` : ''}
<section><h2>Overview</h2><p>${page.longSummary}</p><div class="description">${raw(page.descriptionHtml)}</div></section>
<section><h2>Plans</h2>${page.skus.map(renderSku)}</section>
${renderDeployFrom(page)}
${renderLinks(page)}
${page.termsOfUse ? html`<section><h2>Terms of use</h2><div class="terms">${page.termsOfUse}</div></section>` : ''}
</main>
</body>
</html>
`;
  return doc.value;
}

function renderSku(sku: ProductPage['skus'][number]): SafeHtml {
  return html`<div class="sku" id="sku-${sku.skuId}">
<h3>${sku.title || sku.skuId}</h3>
${sku.summary ? html`<p>${sku.summary}</p>` : ''}
${sku.description ? html`<p>${sku.description}</p>` : ''}
<table>
<tr><th>Operating system</th><td>${sku.os.friendlyName || sku.os.type} (${sku.os.family})</td></tr>
<tr><th>Recommended VM sizes</th><td>${sku.recommendedVmSizes.join(', ')}</td></tr>
<tr><th>Open ports</th><td>${sku.openPorts.map((p) => `${p.name} ${p.protocol}/${p.port}`).join(', ') || 'none'}</td></tr>
<tr><th>Versions</th><td>${sku.diskVersions.map((v) => `${v.version} (${v.diskCount} disk${v.diskCount === 1 ? '' : 's'})`).join(', ')}</td></tr>
<tr><th>Regions</th><td>${sku.regions.length} region${sku.regions.length === 1 ? '' : 's'}: ${sku.regions.join(', ')}</td></tr>
</table>
</div>
`;
}

/** Per region, the replicated images a VM is deployed from (collapsed: 55 regions make a long table). */
function renderDeployFrom(page: ProductPage): SafeHtml | '' {
  const regions = page.deployFrom?.filter((r) => r.images.length) ?? [];
  if (!regions.length) return '';
  const disk = (i: (typeof regions)[number]['images'][number]) => `${i.skuId} ${i.version} ${i.role === 'os' ? 'OS disk' : `data disk, LUN ${i.lun}`}`;
  return html`<section><h2>Deploy from</h2><details><summary>Images replicated to ${regions.length} region${regions.length === 1 ? '' : 's'}</summary>
<table class="deploy-from"><tr><th>Region</th><th>Disk</th><th>Image</th></tr>
${regions.map((r) => r.images.map((i, n) => html`<tr>${n === 0 ? html`<td rowspan="${String(r.images.length)}">${r.region}</td>` : ''}<td>${disk(i)}</td><td><code>${i.url}</code></td></tr>
`))}
</table></details></section>`;
}

function renderLinks(page: ProductPage): SafeHtml {
  const s = page.support;
  return html`<section><h2>Support and links</h2><ul>
${page.usefulLinks.map((l) => html`<li><a href="${l.url}" rel="noopener noreferrer">${l.name}</a></li>`)}
${page.privacyPolicyUrl ? html`<li><a href="${page.privacyPolicyUrl}" rel="noopener noreferrer">Privacy policy</a></li>` : ''}
${s?.url ? html`<li><a href="${s.url}" rel="noopener noreferrer">Support${s.name ? html`: ${s.name}` : ''}</a></li>` : ''}
${s?.email ? html`<li>Support e-mail: ${s.email}</li>` : ''}
${s?.phone ? html`<li>Support phone: ${s.phone}</li>` : ''}
</ul></section>`;
}
