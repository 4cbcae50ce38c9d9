import { draftChanges } from '../../lib/history/draft-changes';
import { secretDigests } from '../../lib/history/secret-digests';
import { validOffer } from '../../samples/offer';

const key = Buffer.alloc(32, 7);
const comparable = (offer: ReturnType<typeof validOffer>) => {
  const { osVhdUrl: _url, ...rest } = offer.skus![0].diskVersions![0];
  const stripped = structuredClone(offer);
  stripped.skus![0].diskVersions![0] = rest;
  delete stripped.logos;
  delete stripped.leadDestination;
  return { offer: stripped, secretDigests: secretDigests(key, offer) };
};

describe('draftChanges', () => {
  it('lists exactly the changed fields, and secrets without their values', () => {
    const live = validOffer({ osVhdUrl: 'https://a.blob.core.windows.net/c/os.vhd?sig=one' });
    const draft = structuredClone(live);
    draft.title = 'New title';
    draft.skus![0].diskVersions![0].version = '2.0.0';
    draft.skus![0].diskVersions![0].osVhdUrl = 'https://a.blob.core.windows.net/c/os.vhd?sig=two';
    draft.categories = ['networking'];
    const changes = draftChanges(comparable(live), comparable(draft));
    expect(changes).toEqual([
      { path: 'categories[1]', change: 'removed', from: 'security' },
      { path: 'skus[0].diskVersions[0].osVhdUrl', change: 'changed' },
      { path: 'skus[0].diskVersions[0].version', change: 'changed', from: '1.0.0', to: '2.0.0' },
      { path: 'title', change: 'changed', from: 'Contoso Web Appliance', to: 'New title' },
    ]);
    expect(JSON.stringify(changes)).not.toContain('sig=');
  });

  it('lists nothing for the same draft, and everything as added when nothing is live', () => {
    const offer = validOffer();
    expect(draftChanges(comparable(offer), comparable(offer))).toEqual([]);
    const added = draftChanges(undefined, comparable(offer));
    expect(added.every((c) => c.change === 'added')).toBe(true);
    expect(added.map((c) => c.path)).toContain('title');
  });
});
