/** The status body as published in the run's memo (domain/status-memo.ts): compact, and read back whole. */
import { decodeStatusMemo, encodeStatusMemo, STATUS_MEMO_CORE, statusMemoMessagesKey } from '../../domain/status-memo';
import { DEFAULT_REGIONS } from '../../domain/regions';
import { PublishRun } from '../../workflows/publish-run';

function runInProvision(): PublishRun {
  const run = new PublishRun({ publisherId: 'contoso', offerId: 'web', runId: 'r1', notificationEmails: ['ops@contoso.example'], supportUrl: 'https://support.example/new' });
  run.startStep('validate');
  run.addFindings('validate', [{ level: 'Warning', text: 'Summary is short.', field: 'summary' }]);
  run.completeStep('validate');
  run.startStep('certify');
  run.setReport('certification', 'contoso/web/r1/certify.json');
  run.completeStep('certify');
  run.startStep('provision');
  run.setRegions([...DEFAULT_REGIONS]);
  DEFAULT_REGIONS.slice(0, 20).forEach((r) => run.setRegionState(r, 'Complete'));
  run.setRegionState(DEFAULT_REGIONS[20], 'Copying');
  run.setRegionState(DEFAULT_REGIONS[21], 'Failed');
  return run;
}

describe('status memo', () => {
  it('reads back the very body it was written from', () => {
    const body = runInProvision().snapshot();
    const read = decodeStatusMemo({ title: 'Web', ...encodeStatusMemo(body, 7) });
    expect(read?.version).toBe(7);
    expect(read?.body).toEqual(body);
  });

  it('keeps the part written on every change small with 55 regions, and messages in a key per step', () => {
    const memo = encodeStatusMemo(runInProvision().snapshot(), 1);
    expect(JSON.stringify(memo[STATUS_MEMO_CORE]).length).toBeLessThan(200);
    expect(memo[statusMemoMessagesKey('validate')]).toEqual([expect.objectContaining({ text: 'Summary is short.', field: 'summary' })]);
    expect(memo[statusMemoMessagesKey('provision')]).toEqual([]);
  });

  it('is absent for runs that do not publish it (started before), which the API then asks by query', () => {
    expect(decodeStatusMemo(undefined)).toBeUndefined();
    expect(decodeStatusMemo({ title: 'Web', updatedAt: '2026-01-01T00:00:00.000Z' })).toBeUndefined();
  });
});
