/** The workflow's own step messages (domain/step-messages.ts): written in English, shown in the reader's language. */
import { STEP_MESSAGES, stepMessage, stepMessageIn, type StepMessageId } from '../../domain/step-messages';
import { messagesFor } from '../../portal/i18n';
import { messageList } from '../../portal/views/messages';

describe('step messages', () => {
  it('are written as before (the status and its e-mails keep these English texts)', () => {
    expect(stepMessage('checksPassed', { count: 27 })).toBe('All 27 certification checks passed.');
    expect(stepMessage('replicated', { disks: 2, regions: 55 })).toBe('2 disk(s) replicated to 55 region(s).');
    expect(stepMessage('emailNotSent', { event: 'live' })).toBe('The "live" e-mail could not be sent; the status here is up to date.');
  });

  it('are recognised by their template and shown in Traditional Chinese, with their values', () => {
    expect(stepMessageIn('zh-TW', 'All 27 certification checks passed.')).toBe('全部 27 項認證測試皆已通過。');
    expect(stepMessageIn('zh-TW', '2 disk(s) replicated to 55 region(s).')).toBe('已將 2 個磁碟複寫到 55 個區域。');
    expect(stepMessageIn('zh-TW', 'Test lead delivered to Https: HTTP 200 from crm.contoso.example')).toBe('已將測試潛在客戶傳送到 Https：HTTP 200 from crm.contoso.example');
    // English readers, and texts that are not the workflow's own, get the text as written.
    expect(stepMessageIn('en', 'Go live accepted.')).toBeUndefined();
    expect(stepMessageIn('zh-TW', 'osVhdUrl: the host x cannot be reached')).toBeUndefined();
    expect(stepMessageIn('zh-TW', 'Go live accepted. And more')).toBeUndefined();
  });

  it('every template round-trips through its pattern', () => {
    for (const id of Object.keys(STEP_MESSAGES) as StepMessageId[]) {
      const text = stepMessage(id, { count: 3, disks: 1, regions: 2, destination: 'AzureTable', detail: 'row written', event: 'live', timeFrame: '< 1 day' });
      const shown = stepMessageIn('zh-TW', text);
      expect([id, shown !== undefined && !/\{\w+\}/.test(shown)]).toEqual([id, true]);
    }
  });

  it('the portal lists them in the page language', () => {
    const zh = String(messageList(messagesFor('zh-TW'), [{ level: 'Info', text: 'Go live accepted.' }, { level: 'Error', text: 'Offer title is required.' }]));
    expect(zh).toContain('已接受上線要求。');
    expect(zh).toContain('Offer title is required.');
    expect(String(messageList(messagesFor('en'), [{ level: 'Info', text: 'Go live accepted.' }]))).toContain('Go live accepted.');
  });
});
