import type { OfferDraft } from '../../domain/offer';
import type { Finding, MessageLevel } from '../../domain/status';
import { buildPlan, checkOfferContent } from '../../activities/validate/rules';
import { AZURITE_DEV_CONNECTION_STRING } from '../../config/azurite-accounts';
import { validOffer } from '../../samples/offer';
import { sanitizeHtml } from '../../lib/html/sanitize';

type Mutate = (o: OfferDraft) => void;

function findingsAfter(mutate: Mutate): Finding[] {
  const offer = validOffer();
  mutate(offer);
  return checkOfferContent(offer);
}

/** The findings of a mutated valid offer are exactly `expected` (field and level), in any order. */
function expectExactly(mutate: Mutate, ...expected: Array<[string, MessageLevel, RegExp?]>): void {
  const got = findingsAfter(mutate);
  expect(got.map((f) => `${f.level} ${f.field}`).sort()).toEqual(expected.map(([field, level]) => `${level} ${field}`).sort());
  for (const [field, level, re] of expected) {
    if (re) expect(got.find((f) => f.field === field && f.level === level)!.text).toMatch(re);
  }
}

const sku = (o: OfferDraft) => o.skus![0];
const dv = (o: OfferDraft) => sku(o).diskVersions![0];
const GUID = '0b1f6a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b';

describe('checkOfferContent', () => {
  it('finds nothing to report on the valid offer fixture', () => {
    expect(checkOfferContent(validOffer())).toEqual([]);
    expect(checkOfferContent(validOffer({ dataDiskUrls: ['https://a.blob.core.windows.net/c/d0.vhd', 'https://a.blob.core.windows.net/c/d1.vhd'] }))).toEqual([]);
  });

  it('reports every missing field of an empty draft as an Error', () => {
    const got = checkOfferContent({});
    expect(got.every((f) => f.level === 'Error')).toBe(true);
    expect(got.map((f) => f.field)).toEqual(
      expect.arrayContaining([
        'title', 'summary', 'longSummary', 'description', 'categories', 'termsOfUse',
        'logos.small', 'logos.medium', 'logos.large', 'logos.wide', 'privacyPolicyUrl',
        'contacts.engineering.name', 'contacts.engineering.email', 'contacts.engineering.phone',
        'contacts.support.name', 'contacts.support.email', 'contacts.support.phone', 'contacts.support.url',
        'preview.subscriptionIds', 'skus',
      ]),
    );
  });

  it('marketing texts: required, with their maximum lengths', () => {
    expectExactly((o) => delete o.title, ['title', 'Error', /title is required/]);
    expectExactly((o) => (o.title = '   '), ['title', 'Error', /empty/]);
    expectExactly((o) => (o.title = 'x'.repeat(51)), ['title', 'Error', /51 characters long: shorten it to at most 50/]);
    expect(findingsAfter((o) => (o.title = '🙂'.repeat(50)))).toEqual([]);
    expectExactly((o) => (o.summary = 'x'.repeat(101)), ['summary', 'Error', /at most 100/]);
    expectExactly((o) => (o.longSummary = 'x'.repeat(257)), ['longSummary', 'Error', /at most 256/]);
    expectExactly((o) => (o.description = 'x'.repeat(3001)), ['description', 'Error', /at most 3000/]);
    expectExactly((o) => (o.termsOfUse = ''), ['termsOfUse', 'Error']);
  });

  it('description: only the small HTML subset', () => {
    expect(findingsAfter((o) => (o.description = '<h1>A</h1><h6>B</h6><p>x &lt; y, 1 < 2</p><ol><li><u>u</u><i>i</i><strong>s</strong></li></ol><br>'))).toEqual([]);
    expectExactly((o) => (o.description = '<p>Hi</p><script>alert(1)</script>'), ['description', 'Error', /<script> tag is not allowed/]);
    expectExactly((o) => (o.description = '<p onclick="x()">Hi</p>'), ['description', 'Error', /event handler attributes such as onclick/]);
    expectExactly((o) => (o.description = '<p style="color:red">Hi</p>'), ['description', 'Error', /style attribute on <p>/]);
    expectExactly((o) => (o.description = '<a href="javascript:alert(1)">x</a>'), ['description', 'Error', /must be http:\/\/ or https:\/\//]);
    expectExactly((o) => (o.description = '<img src="https://x/y.png">'), ['description', 'Error', /<img> tag/]);
    expectExactly((o) => (o.description = '<p>x<!-- hidden --></p>'), ['description', 'Error', /comments/]);
    expectExactly((o) => (o.description = '<p>open <b'), ['description', 'Error', /not closed/]);
  });

  describe('description: validate reports exactly what the product page sanitizer drops', () => {
    const descriptionFindings = (html: string) => checkOfferContent({ ...validOffer(), description: html }).filter((f) => f.field === 'description');
    /** The one thing the sanitizer adds to what it keeps. */
    const REL = ' rel="nofollow noopener noreferrer"';
    // Written the way the sanitizer writes what it keeps (lower-case tags, closed elements, escaped
    // text, normalised URLs), so "the sanitizer changed it" means "the sanitizer dropped something".
    const canonical = [
      '<p>Hello <b>world</b></p>',
      '<h2>T</h2><em>e</em><i>i</i><u>u</u><strong>s</strong><ol><li>x</li></ol><br>',
      '1 &lt; 2 &amp;&amp; 3 &gt; 2, caf&eacute; &#x263A;',
      '<ul><li>one</li><li>two</li></ul>',
      '<a href="https://contoso.com/a?b=1&amp;c=2">docs</a><a>no link</a>',
      `${'<b>'.repeat(64)}deep${'</b>'.repeat(64)}`,
      '<p>Hi</p><script>alert(1)</script>',
      '<svg><script>alert(1)</script></svg>after',
      '<p onclick="x()">Hi</p>',
      '<p title="a>b">q</p>',
      '<br class="x">',
      '<img src=x onerror=alert(1)>text',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="jav&#x61;script&colon;alert(1)">x</a>',
      '<a href="">x</a>',
      '<a href="https://a.example/" target="_blank">x</a>',
      '<a href="https://a.example/" href="javascript:alert(1)">x</a>',
      '<p>x<!-- hidden --></p>',
      '<!doctype html><p>x</p>',
      '<scr<script>x</script>ipt>alert(1)',
      '<p>open <b',
      // Dropped by the sanitizer, passed by the old validator:
      '<p>x</p></b>',
      '<p>a</ 3>b</p>',
      '<b><i>x</b></i>',
      '<p>x</p class="y">',
      `${'<b>'.repeat(65)}deep${'</b>'.repeat(65)}`,
      '<a href="https://a.example/">a<a href="https://b.example/">b</a></a>',
    ];

    it('a finding iff the sanitizer changes the input', () => {
      const disagree = canonical
        .map((html) => ({ html, findings: descriptionFindings(html).length, changed: sanitizeHtml(html).split(REL).join('') !== html }))
        .filter((c) => (c.findings > 0) !== c.changed);
      expect(disagree).toEqual([]);
      // Not vacuous: both outcomes occur.
      expect(new Set(canonical.map((html) => descriptionFindings(html).length > 0))).toEqual(new Set([true, false]));
    });

    it('no finding where the sanitizer only rewrites: case, escaping, implied end tags, URL form', () => {
      for (const html of ['<P>Hi</P>', '<br/>', '1 < 2 > 0 & more', '<b>unclosed <i>tags', '<ul><li>one<li>two</ul>', '<p >x</p >', '<a href="HTTPS://A.EXAMPLE">x</a>', '<a href="http:x">x</a>']) {
        expect([html, descriptionFindings(html)]).toEqual([html, []]);
        expect(sanitizeHtml(html)).not.toBe(html);
      }
    });
  });

  it('categories: 1–3 non-empty, duplicates are a Warning', () => {
    expectExactly((o) => delete o.categories, ['categories', 'Error']);
    expectExactly((o) => (o.categories = []), ['categories', 'Error']);
    expectExactly((o) => (o.categories = ['a', 'b', 'c', 'd']), ['categories', 'Error', /4 given, at most 3/]);
    expectExactly((o) => (o.categories = ['a', '']), ['categories[1]', 'Error']);
    expectExactly((o) => (o.categories = ['a', 'A']), ['categories[1]', 'Warning', /twice/]);
  });

  it('logos: all four present, as URLs', () => {
    expectExactly((o) => delete o.logos, ['logos.small', 'Error'], ['logos.medium', 'Error'], ['logos.large', 'Error'], ['logos.wide', 'Error']);
    expectExactly((o) => (o.logos!.wide = 'logo.png'), ['logos.wide', 'Error', /wide logo \(PNG, 255×115 pixels\) is not a valid absolute URL/]);
    expectExactly((o) => (o.logos!.small = 'ftp://x.example/l.png'), ['logos.small', 'Error', /https/]);
  });

  it('links: privacy policy and useful links', () => {
    expectExactly((o) => delete o.privacyPolicyUrl, ['privacyPolicyUrl', 'Error']);
    expectExactly((o) => (o.privacyPolicyUrl = 'http://contoso.example/privacy'), ['privacyPolicyUrl', 'Warning', /use https/]);
    expectExactly((o) => (o.usefulLinks = [{ url: 'https://x.example' }]), ['usefulLinks[0].name', 'Error']);
    expectExactly((o) => (o.usefulLinks = [{ name: 'Docs', url: 'docs' }]), ['usefulLinks[0].url', 'Error']);
  });

  it('contacts: names, e-mails, phones and the support URL', () => {
    expectExactly((o) => (o.contacts!.engineering!.email = 'eng@'), ['contacts.engineering.email', 'Error', /not a valid address/]);
    expectExactly((o) => delete o.contacts!.support!.url, ['contacts.support.url', 'Error']);
    expectExactly((o) => delete o.contacts!.support!.phone, ['contacts.support.phone', 'Error']);
    expectExactly((o) => (o.contacts!.engineering!.phone = 'call me'), ['contacts.engineering.phone', 'Warning']);
    expectExactly((o) => delete o.contacts!.engineering!.name, ['contacts.engineering.name', 'Error']);
  });

  it('preview: 1–100 GUIDs without duplicates', () => {
    expectExactly((o) => delete o.preview, ['preview.subscriptionIds', 'Error']);
    expectExactly((o) => (o.preview = { subscriptionIds: [] }), ['preview.subscriptionIds', 'Error']);
    const many = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expectExactly((o) => (o.preview = { subscriptionIds: many }), ['preview.subscriptionIds', 'Error', /101 given, at most 100/]);
    expectExactly((o) => (o.preview = { subscriptionIds: [GUID, 'not-a-guid'] }), ['preview.subscriptionIds[1]', 'Error', /GUID/]);
    expectExactly((o) => (o.preview = { subscriptionIds: [GUID, GUID.toUpperCase()] }), ['preview.subscriptionIds[1]', 'Error', /already listed at preview.subscriptionIds\[0\]/]);
  });

  describe('lead destination', () => {
    const lead = (value: unknown): Mutate => (o) => (o.leadDestination = value as OfferDraft['leadDestination']);

    it('none is fine', () => {
      expectExactly(lead(null));
      expectExactly((o) => delete o.leadDestination);
    });

    it('AzureTable: a usable connection string and a valid table name', () => {
      expectExactly(lead({ type: 'AzureTable', connectionString: AZURITE_DEV_CONNECTION_STRING, tableName: 'MarketplaceLeads' }));
      expectExactly(lead({ type: 'AzureTable', connectionString: 'TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=sv=1&sig=SECRET' }));
      expectExactly(lead({ type: 'AzureTable', connectionString: 'UseDevelopmentStorage=true' }));
      expectExactly(lead({ type: 'AzureTable' }), ['leadDestination.connectionString', 'Error', /required/]);
      expectExactly(lead({ type: 'AzureTable', connectionString: 'garbage' }), ['leadDestination.connectionString', 'Error', /Key=Value/]);
      expectExactly(lead({ type: 'AzureTable', connectionString: 'AccountName=acct;EndpointSuffix=core.windows.net' }), [
        'leadDestination.connectionString',
        'Error',
        /AccountKey, or SharedAccessSignature/,
      ]);
      expectExactly(lead({ type: 'AzureTable', connectionString: 'SharedAccessSignature=sv=1&sig=SECRET' }), ['leadDestination.connectionString', 'Error', /TableEndpoint/]);
      expectExactly(lead({ type: 'AzureTable', connectionString: AZURITE_DEV_CONNECTION_STRING, tableName: 'x_1' }), ['leadDestination.tableName', 'Error']);
      expectExactly(lead({ type: 'AzureTable', connectionString: AZURITE_DEV_CONNECTION_STRING, tableName: 'Tables' }), ['leadDestination.tableName', 'Error', /reserved/]);
      const all = findingsAfter(lead({ type: 'AzureTable', connectionString: 'AccountName=UPPER;AccountKey=!!SECRET!!' }));
      expect(all.map((f) => f.field)).toEqual(['leadDestination.connectionString', 'leadDestination.connectionString']);
      expect(JSON.stringify(all)).not.toContain('SECRET');
    });

    it('Https: an https URL', () => {
      expectExactly(lead({ type: 'Https' }), ['leadDestination.url', 'Error']);
      // http: is well formed; whether it may be called is the lead URL policy's (validateOffer) call.
      expectExactly(lead({ type: 'Https', url: 'ftp://crm.contoso.example/leads' }), ['leadDestination.url', 'Error', /https/]);
    });

    it('Salesforce: a 15- or 18-character org id starting with 00D', () => {
      expectExactly(lead({ type: 'Salesforce', orgId: '00D5g000004ABCD' }));
      expectExactly(lead({ type: 'Salesforce', orgId: '00D5g000004ABCDEAX' }));
      expectExactly(lead({ type: 'Salesforce', orgId: '00D5g' }), ['leadDestination.orgId', 'Error']);
      // The lead sender refuses any other record id, so validate does too (test/integration/leads.test.ts).
      expectExactly(lead({ type: 'Salesforce', orgId: '0035g000004ABCD' }), ['leadDestination.orgId', 'Error', /starting with 00D/]);
    });

    it('Marketo: server id, Munchkin id and numeric form id', () => {
      expectExactly(lead({ type: 'Marketo', serverId: 'app-ab01.marketo.com', munchkinId: '123-ABC-456', formId: '1001' }));
      expectExactly(lead({ type: 'Marketo', munchkinId: '123-AB-456', formId: 'x1' }), ['leadDestination.serverId', 'Error'], ['leadDestination.munchkinId', 'Error', /123-ABC-456/], ['leadDestination.formId', 'Error']);
      expectExactly(lead({ type: 'Marketo', serverId: 'https://app-ab01.marketo.com/', munchkinId: '123-ABC-456', formId: '1001' }), ['leadDestination.serverId', 'Error', /host name/]);
    });

    it('Dynamics365: https instance, GUID tenant and client, a secret', () => {
      const good = { type: 'Dynamics365', instanceUrl: 'https://contoso.crm.dynamics.com', tenantId: GUID, clientId: GUID, clientSecret: 's3cr3t' };
      expectExactly(lead(good));
      // The scheme is the lead URL policy's (validateOffer); the rule wants a well-formed web URL.
      expectExactly(lead({ ...good, instanceUrl: 'contoso.crm.dynamics.com' }), ['leadDestination.instanceUrl', 'Error']);
      expectExactly(lead({ ...good, tenantId: 'contoso.onmicrosoft.com' }));
      expectExactly(lead({ ...good, tenantId: 'contoso' }), ['leadDestination.tenantId', 'Error']);
      expectExactly(lead({ ...good, clientId: undefined }), ['leadDestination.clientId', 'Error']);
      expectExactly(lead({ ...good, clientSecret: '' }), ['leadDestination.clientSecret', 'Error']);
    });

    it('an unknown type is an Error', () => {
      expectExactly(lead({ type: 'Blob' }), ['leadDestination.type', 'Error']);
    });
  });

  it('skus: at least one, unique well-formed ids, texts', () => {
    expectExactly((o) => delete o.skus, ['skus', 'Error']);
    expectExactly((o) => (o.skus = []), ['skus', 'Error']);
    expectExactly((o) => (sku(o).skuId = 'Standard'), ['skus[0].skuId', 'Error', /lower-case/]);
    expectExactly((o) => o.skus!.push({ ...structuredClone(sku(o)) }), ['skus[1].skuId', 'Error', /already used by skus\[0\]/]);
    expectExactly((o) => (sku(o).title = 'x'.repeat(51)), ['skus[0].title', 'Error']);
    expectExactly((o) => delete sku(o).summary, ['skus[0].summary', 'Error']);
    expectExactly((o) => delete sku(o).description, ['skus[0].description', 'Error']);
  });

  it('sku os: family Linux or Windows, type and friendly name', () => {
    expectExactly((o) => (sku(o).os!.family = 'linux'), ['skus[0].os.family', 'Error', /Linux or Windows/]);
    expectExactly((o) => delete sku(o).os, ['skus[0].os.family', 'Error'], ['skus[0].os.type', 'Error'], ['skus[0].os.friendlyName', 'Error']);
  });

  it('sku recommended VM sizes: 1–6', () => {
    expectExactly((o) => (sku(o).recommendedVmSizes = []), ['skus[0].recommendedVmSizes', 'Error']);
    expectExactly((o) => (sku(o).recommendedVmSizes = Array.from({ length: 7 }, (_, i) => `Standard_D${i}s_v5`)), ['skus[0].recommendedVmSizes', 'Error']);
    expectExactly((o) => (sku(o).recommendedVmSizes = ['D2s', 'Standard_B1s', 'Standard_B1s']), ['skus[0].recommendedVmSizes[0]', 'Warning'], ['skus[0].recommendedVmSizes[2]', 'Warning', /twice/]);
  });

  it('sku open ports: TCP or UDP, port 1–65535', () => {
    expectExactly((o) => (sku(o).openPorts = [{ name: 'x', protocol: 'ICMP', port: 1 }]), ['skus[0].openPorts[0].protocol', 'Error']);
    for (const port of [0, 65536, 22.5]) {
      expectExactly((o) => (sku(o).openPorts = [{ name: 'x', protocol: 'UDP', port }]), ['skus[0].openPorts[0].port', 'Error']);
    }
    expectExactly((o) => (sku(o).openPorts = [{ protocol: 'TCP', port: 22 }]), ['skus[0].openPorts[0].name', 'Error']);
  });

  it('disk versions: 1+, unique semantic versions, an OS disk URL', () => {
    expectExactly((o) => (sku(o).diskVersions = []), ['skus[0].diskVersions', 'Error']);
    for (const v of ['1.0', '01.0.0', '1.0.0.0', 'v1.0.0', '1.0.0-']) {
      expectExactly((o) => (dv(o).version = v), ['skus[0].diskVersions[0].version', 'Error', /semantic version/]);
    }
    expectExactly((o) => (dv(o).version = '1.0.0-beta.1+b7'), ['skus[0].diskVersions[0].version', 'Warning', /MAJOR.MINOR.PATCH/]);
    expectExactly(
      (o) => sku(o).diskVersions!.push({ ...structuredClone(dv(o)), version: '1.0.0+rebuild' }),
      ['skus[0].diskVersions[1].version', 'Error', /already used by skus\[0\].diskVersions\[0\]/],
      ['skus[0].diskVersions[1].version', 'Warning'],
    );
    expectExactly((o) => delete dv(o).osVhdUrl, ['skus[0].diskVersions[0].osVhdUrl', 'Error', /required/]);
    expectExactly((o) => (dv(o).osVhdUrl = 'disk.vhd?sig=SECRET'), ['skus[0].diskVersions[0].osVhdUrl', 'Error', /not a valid absolute URL/]);
  });

  it('data disks: 0–16, LUNs 0..n-1 in order, URLs', () => {
    const url = 'https://a.blob.core.windows.net/c/d.vhd';
    expectExactly((o) => (dv(o).dataDisks = Array.from({ length: 17 }, (_, lun) => ({ lun, vhdUrl: url }))), ['skus[0].diskVersions[0].dataDisks', 'Error', /at most 16/]);
    expectExactly(
      (o) => (dv(o).dataDisks = [{ lun: 0, vhdUrl: url }, { lun: 2, vhdUrl: url }]),
      ['skus[0].diskVersions[0].dataDisks[1].lun', 'Error', /LUN is 2.*must be 1/],
    );
    expectExactly((o) => (dv(o).dataDisks = [{ vhdUrl: url }]), ['skus[0].diskVersions[0].dataDisks[0].lun', 'Error']);
    expectExactly((o) => (dv(o).dataDisks = [{ lun: 0 }]), ['skus[0].diskVersions[0].dataDisks[0].vhdUrl', 'Error']);
  });

  it('never echoes a URL query string', () => {
    const offer = validOffer();
    offer.privacyPolicyUrl = 'privacy?sig=SECRET';
    offer.logos!.small = 'https://u:SECRET@x.example/l.png?sig=SECRET';
    dv(offer).osVhdUrl = 'ftp://x.example/d.vhd?sig=SECRET';
    const all = checkOfferContent(offer);
    expect(all).toHaveLength(3);
    expect(JSON.stringify(all)).not.toContain('SECRET');
  });
});

describe('buildPlan', () => {
  it('derives the disks, OS families and lead type', () => {
    const offer = validOffer({ dataDiskUrls: ['https://a.blob.core.windows.net/c/d0.vhd', 'https://a.blob.core.windows.net/c/d1.vhd'] });
    expect(buildPlan(offer)).toEqual({
      title: 'Contoso Web Appliance',
      osFamilyBySku: { standard: 'Linux' },
      leadDestinationType: 'Https',
      disks: [
        { skuId: 'standard', version: '1.0.0', role: 'os', field: 'skus[0].diskVersions[0].osVhdUrl', blobName: 'standard/1.0.0/os.vhd' },
        { skuId: 'standard', version: '1.0.0', role: 'data', lun: 0, field: 'skus[0].diskVersions[0].dataDisks[0].vhdUrl', blobName: 'standard/1.0.0/data-0.vhd' },
        { skuId: 'standard', version: '1.0.0', role: 'data', lun: 1, field: 'skus[0].diskVersions[0].dataDisks[1].vhdUrl', blobName: 'standard/1.0.0/data-1.vhd' },
      ],
    });
    expect(buildPlan({ ...offer, leadDestination: null }).leadDestinationType).toBeNull();
  });
});
