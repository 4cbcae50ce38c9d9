/**
 * The messages the publish workflow itself writes into a step (not those of validation rules or
 * certification checks, which come with their own texts): English templates the workflow fills,
 * and what a reader of another language is shown for them. The status keeps the English text; the
 * portal recognises a message by its template and shows it in the reader's language, and a text it
 * does not recognise as written. Pure: safe in workflow code.
 */
import type { Language } from './languages';

export const STEP_MESSAGES = {
  prerequisitesMet: 'All prerequisites are met.',
  notificationEmailNeeded: 'Give an e-mail address for status notifications to continue.',
  checksPassed: 'All {count} certification checks passed.',
  replicated: '{disks} disk(s) replicated to {regions} region(s).',
  leadDelivered: 'Test lead delivered to {destination}: {detail}',
  leadNotDelivered: 'No test lead delivered to {destination}: {detail}',
  noLeadDestination: 'No lead destination is configured; no test lead was sent.',
  previewAvailable: 'The offer is available for preview to the allow-listed subscriptions.',
  goLiveAccepted: 'Go live accepted.',
  emailNotSent: 'The "{event}" e-mail could not be sent; the status here is up to date.',
  overdue: 'This step is taking longer than its expected time frame ({timeFrame}).',
} as const;

export type StepMessageId = keyof typeof STEP_MESSAGES;

/** Traditional Chinese, in the words of domain/step-texts.ts (供應項目, 預覽, 上線 …). */
const ZH_TW: Record<StepMessageId, string> = {
  prerequisitesMet: '所有必要條件皆已符合。',
  notificationEmailNeeded: '請提供接收狀態通知的電子郵件地址以繼續。',
  checksPassed: '全部 {count} 項認證測試皆已通過。',
  replicated: '已將 {disks} 個磁碟複寫到 {regions} 個區域。',
  leadDelivered: '已將測試潛在客戶傳送到 {destination}：{detail}',
  leadNotDelivered: '未能將測試潛在客戶傳送到 {destination}：{detail}',
  noLeadDestination: '未設定潛在客戶目的地，因此未傳送測試潛在客戶。',
  previewAvailable: '允許清單中的訂用帳戶現在可以預覽此供應項目。',
  goLiveAccepted: '已接受上線要求。',
  emailNotSent: '無法傳送「{event}」電子郵件；此處的狀態仍是最新的。',
  overdue: '此步驟所花的時間已超過預期的時間範圍 ({timeFrame})。',
};

const fill = (template: string, params: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));

/** The English message `id` with its values, as the workflow writes it. */
export function stepMessage(id: StepMessageId, params: Record<string, string | number> = {}): string {
  return fill(STEP_MESSAGES[id], params);
}

/** Each template as a pattern whose groups are its placeholders, in order. */
const PATTERNS = (Object.entries(STEP_MESSAGES) as Array<[StepMessageId, string]>).map(([id, template]) => {
  const names: string[] = [];
  const source = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([\\s\\S]*?)';
    })
    .join('');
  return { id, names, pattern: new RegExp(`^${source}$`) };
});

const TRANSLATIONS: Record<Exclude<Language, 'en'>, Record<StepMessageId, string>> = { 'zh-TW': ZH_TW };

/** A message the workflow wrote, in `language`; undefined when it is not one of STEP_MESSAGES (shown as written). */
export function stepMessageIn(language: Language, text: string): string | undefined {
  if (language === 'en') return undefined;
  for (const { id, names, pattern } of PATTERNS) {
    const m = pattern.exec(text);
    if (!m) continue;
    return fill(TRANSLATIONS[language][id], Object.fromEntries(names.map((name, i) => [name, m[i + 1]])));
  }
  return undefined;
}
