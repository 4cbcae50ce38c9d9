/**
 * A complete, valid offer draft, parameterised by its image and logo URLs (the demo and the e2e
 * tests host them in Azurite; unit tests serve them from a local server). Every content rule
 * passes on it.
 */
import type { LogoKind, OfferDraft } from '../domain/offer';

export interface OfferUrls {
  /** OS disk image of the one SKU's one disk version. */
  osVhdUrl: string;
  /** Data disk images, LUN 0, 1, … in order (default none). */
  dataDiskUrls: string[];
  logos: Record<LogoKind, string>;
}

const EXAMPLE_BLOB = 'https://contoso.blob.core.windows.net/images';

export const DEFAULT_OFFER_URLS: OfferUrls = {
  osVhdUrl: `${EXAMPLE_BLOB}/standard-1.0.0-os.vhd?sv=2024-01-01&sig=example`,
  dataDiskUrls: [],
  logos: {
    small: `${EXAMPLE_BLOB}/logo-48.png`,
    medium: `${EXAMPLE_BLOB}/logo-90.png`,
    large: `${EXAMPLE_BLOB}/logo-216.png`,
    wide: `${EXAMPLE_BLOB}/logo-255x115.png`,
  },
};

export function validOffer(urls: Partial<OfferUrls> = {}): OfferDraft {
  const u = { ...DEFAULT_OFFER_URLS, ...urls, logos: { ...DEFAULT_OFFER_URLS.logos, ...urls.logos } };
  return {
    title: 'Contoso Web Appliance',
    summary: 'A hardened web appliance for small teams.',
    longSummary: 'Contoso Web Appliance bundles a reverse proxy, a web application firewall and automatic certificates in one VM.',
    description:
      '<h2>Why Contoso</h2><p>Deploy in <b>minutes</b>, with <em>sane defaults</em>.</p>' +
      '<ul><li>Reverse proxy</li><li>WAF</li></ul><p>Docs: <a href="https://contoso.example/docs">contoso.example/docs</a><br/></p>',
    categories: ['networking', 'security'],
    logos: u.logos,
    privacyPolicyUrl: 'https://contoso.example/privacy',
    termsOfUse: 'Use of this appliance is subject to the Contoso license terms.',
    usefulLinks: [{ name: 'Documentation', url: 'https://contoso.example/docs' }],
    contacts: {
      engineering: { name: 'Eng Team', email: 'eng@contoso.example', phone: '+1 425 555 0100' },
      support: { name: 'Support', email: 'support@contoso.example', phone: '+1 425 555 0199', url: 'https://contoso.example/support' },
    },
    preview: { subscriptionIds: ['0b1f6a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b', '11111111-2222-4333-8444-555555555555'] },
    leadDestination: { type: 'Https', url: 'https://crm.contoso.example/leads' },
    skus: [
      {
        skuId: 'standard',
        title: 'Standard',
        summary: 'The appliance on Ubuntu.',
        description: 'Everything included; sized for up to 1,000 requests per second.',
        os: { family: 'Linux', type: 'Ubuntu', friendlyName: 'Ubuntu 22.04 LTS' },
        recommendedVmSizes: ['Standard_D2s_v5', 'Standard_D4s_v5'],
        openPorts: [
          { name: 'SSH', protocol: 'TCP', port: 22 },
          { name: 'HTTPS', protocol: 'TCP', port: 443 },
        ],
        diskVersions: [
          {
            version: '1.0.0',
            osVhdUrl: u.osVhdUrl,
            dataDisks: u.dataDiskUrls.map((vhdUrl, lun) => ({ lun, vhdUrl })),
          },
        ],
      },
    ],
  };
}
