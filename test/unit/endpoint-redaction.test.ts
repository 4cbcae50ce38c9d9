/** How lead endpoints are shown: keys in the path or the query never appear; the host and plain words do. */
import { endpointSecrets, redactedEndpoint } from '../../lib/net/endpoint-redaction';
import { describeHttpsDestination } from '../../activities/package/leads/https';
import { redactSecrets } from '../../activities/package/leads/http-post';

describe('lead endpoint redaction', () => {
  it('keeps the host and plain path words, and replaces segments that may be keys', () => {
    expect(redactedEndpoint('https://crm.contoso.example/api/leads?code=KEY123')).toBe('crm.contoso.example/api/leads');
    expect(redactedEndpoint('https://hooks.example.com/services/T0123ABCD/B0456EFGH/xoxoXOXOxoxoXOXOxoxoXOXO')).toBe('hooks.example.com/services/…/…/…');
    expect(redactedEndpoint('https://user:pw@fn.azurewebsites.net/api/HttpTrigger1/3f9a1c2e-7b4d-4e5f-9a8b-1c2d3e4f5a6b#frag')).toBe('fn.azurewebsites.net/api/…/…');
    expect(redactedEndpoint('https://leads.example/v1/hook%20key/x')).toBe('leads.example/v1/…/x');
    expect(redactedEndpoint('not a url')).toBeUndefined();
    expect(describeHttpsDestination({ url: 'https://crm.example/hooks/LEADPATHTOKEN42/leads?token=Q' })).toBe('Https crm.example/hooks/…/leads');
    expect(describeHttpsDestination({ url: '::' })).toBe('Https (invalid URL)');
  });

  it('lists every part that may be a key, written and decoded, so no message can quote it', () => {
    const url = 'https://u:p4ss@crm.example/hooks/LEADPATHTOKEN42/leads?code=K3y%2BZ9&x=1#FRAG';
    const secrets = endpointSecrets(url);
    expect(secrets).toEqual(expect.arrayContaining(['LEADPATHTOKEN42', 'K3y%2BZ9', 'K3y+Z9', 'p4ss', 'FRAG', 'code=K3y%2BZ9&x=1']));
    const message = `fetch failed for https://crm.example/hooks/LEADPATHTOKEN42/leads?code=K3y%2BZ9 (decoded K3y+Z9)`;
    expect(redactSecrets(message, secrets)).not.toMatch(/LEADPATHTOKEN42|K3y/);
  });
});
