/** The editor: the JSON with the form's common fields over it, and the API's messages placed beside their inputs. */
import { buildDraft, emptyEditorInput, errorCount, placeMessages, placeRequestErrors, readEditorForm } from '../../portal/draft-form';

describe('portal editor draft', () => {
  it('lays the filled-in form fields over the JSON; blank fields leave the JSON as it is', () => {
    const input = readEditorForm({
      offerJson: JSON.stringify({ title: 'From JSON', summary: 'Kept', skus: [{ skuId: 'a' }] }),
      title: 'From the form',
      summary: '   ',
      categories: ' networking, ,security ',
      emails: 'a@x.example',
    });
    const built = buildDraft(input);
    if (!built.ok) throw new Error('expected a draft');
    expect(built.draft).toEqual({ title: 'From the form', summary: 'Kept', categories: ['networking', 'security'], skus: [{ skuId: 'a' }] });
    // The form now reads what will be sent: both halves agree.
    expect(built.input.fields).toMatchObject({ title: 'From the form', summary: 'Kept', categories: 'networking, security', description: '' });
    expect(JSON.parse(built.input.offerJson)).toEqual(built.draft);
  });

  it('a value of the wrong type stays in the JSON, where its message will point', () => {
    const built = buildDraft({ ...emptyEditorInput(), offerJson: '{"title": 42, "categories": [1]}' });
    if (!built.ok) throw new Error('expected a draft');
    expect(built.draft).toEqual({ title: 42, categories: [1] });
    expect(built.input.fields.title).toBe('');
    expect(built.input.fields.categories).toBe('');
  });

  it('refuses what is not a JSON object', () => {
    expect(buildDraft({ ...emptyEditorInput(), offerJson: '{"title": ' })).toMatchObject({ ok: false, jsonError: { kind: 'syntax' } });
    expect(buildDraft({ ...emptyEditorInput(), offerJson: '[1]' })).toEqual({ ok: false, jsonError: { kind: 'notObject' } });
    expect(buildDraft(emptyEditorInput())).toMatchObject({ ok: true, draft: {} });
  });

  it('places validation messages beside the form field, or the JSON with their path, or above all', () => {
    const placed = placeMessages([
      { level: 'Error', field: 'title', text: 'The title is required' },
      { level: 'Warning', field: 'categories[1]', text: 'duplicate' },
      { level: 'Error', field: 'skus[0].diskVersions[0].osVhdUrl', text: 'not reachable' },
      { level: 'Error', field: 'titles', text: 'not a common field' },
      { level: 'Info', text: 'about everything' },
    ]);
    expect(Object.keys(placed.byTarget)).toEqual(['title', 'categories']);
    expect(placed.json.map((m) => m.field)).toEqual(['skus[0].diskVersions[0].osVhdUrl', 'titles']);
    expect(placed.general).toHaveLength(1);
    expect(errorCount(placed)).toBe(3);
  });

  it("places the API's 400 details (request body paths) the same way", () => {
    const placed = placeRequestErrors([
      { path: 'offer.title', message: 'too long' },
      { path: 'offer.skus[0].openPorts[0].port', message: 'expected number' },
      { path: 'notificationEmails[1]', message: 'must be a valid e-mail address' },
      { path: 'offer', message: 'expected object' },
      { path: '(root)', message: 'bad body' },
    ]);
    expect(placed.byTarget.title).toEqual([{ level: 'Error', field: 'title', text: 'too long' }]);
    expect(placed.byTarget.emails).toEqual([{ level: 'Error', field: 'notificationEmails[1]', text: 'must be a valid e-mail address' }]);
    expect(placed.json.map((m) => m.field)).toEqual(['skus[0].openPorts[0].port', 'offer']);
    expect(placed.general).toEqual([{ level: 'Error', text: 'bad body' }]);
  });
});
