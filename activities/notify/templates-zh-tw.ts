/**
 * The e-mails in Traditional Chinese, for runs published in zh-TW: the same events and blocks as
 * templates.ts, in the words of the original portal (發行, 上線, 驗證必要元件 …). Messages from the
 * steps themselves (validation and certification findings) stay as the steps wrote them.
 */
import type { NotificationEvent, NotificationRequest } from '../../domain/pipeline';
import { stepTexts } from '../../domain/step-texts';
import { STEPS } from '../../domain/steps';
import type { Block, Content, MailTexts } from './templates';

const offerName = (r: NotificationRequest) => `「${r.offerTitle}」(${r.publisherId}/${r.offerId})`;
const firstStep = stepTexts('validate', 'zh-TW').stepName;
const restart = `修正後，請再按一下 [發行]：發行程序會從步驟 1「${firstStep}」重新開始。`;
const support = (r: NotificationRequest) => `如果無法解決問題，請開啟支援要求：${r.supportUrl}`;

/** The request names its step in English (domain/steps.ts): its zh-TW texts, found by that name. */
function stepOf(r: NotificationRequest) {
  const def = STEPS.find((s) => s.stepName === r.stepName || s.id === r.stepName);
  return def ? stepTexts(def.id, 'zh-TW') : undefined;
}
const step = (r: NotificationRequest) => stepOf(r)?.stepName ?? r.stepName ?? '不明的步驟';

function findingLines(r: NotificationRequest): string[] {
  const level = { Error: '', Warning: '警告：', Info: '資訊：' } as const;
  return (r.findings ?? []).map((f) => `${level[f.level]}${f.field ? `${f.field}：` : ''}${f.text}`);
}

const TEMPLATES: Record<NotificationEvent, (r: NotificationRequest) => Content> = {
  validationFailed: (r) => ({
    subject: `需要處理：${r.offerTitle} 未通過驗證`,
    blocks: [
      { p: `${offerName(r)} 的發行已在步驟 1「${firstStep}」停止。下列欄位缺少或無效：` },
      { list: findingLines(r) },
      { p: restart },
      { p: support(r) },
    ],
  }),
  certificationFailed: (r) => ({
    subject: `需要處理：${r.offerTitle} 未通過認證`,
    blocks: [
      { p: `${offerName(r)} 的 VM 映像未通過下列認證測試：` },
      {
        table: {
          head: ['測試', '磁碟', '實際值', '需求值', '修正方式'],
          rows: (r.failedChecks ?? []).map((c) => [`${c.testId} ${c.name}`, c.disk ?? '', c.actualValue, c.requiredValue, c.remediation]),
        },
      },
      { p: `請修正並上傳映像；若磁碟 URL 有變更，請一併更新。${restart}` },
      { p: support(r) },
    ],
  }),
  previewReady: (r) => ({
    subject: `${r.offerTitle} 已可供預覽`,
    blocks: [
      { p: `${offerName(r)} 現在可以預覽。只有列入預覽允許清單的訂用帳戶可以檢視及部署：` },
      { links: r.links ?? [] },
      { p: '請檢查頁面，並確認 VM 可以正確部署。確認無誤後，請按一下 [上線]；上線通常需要數小時。' },
    ],
  }),
  live: (r) => ({
    subject: `${r.offerTitle} 已上線`,
    blocks: [{ p: `${offerName(r)} 已在 Marketplace 上線，客戶可以檢視及部署：` }, { links: r.links ?? [] }],
  }),
  canceled: (r) => ({
    subject: `${r.offerTitle} 的發行已取消`,
    blocks: [
      { p: `${offerName(r)} 的發行要求已${r.stepName ? `在「${step(r)}」期間` : ''}取消。此要求建立的項目已移除。` },
      { p: `再次發行時會從步驟 1「${firstStep}」重新開始。` },
    ],
  }),
  failed: (r) => ({
    subject: `${r.offerTitle} 的發行在「${step(r)}」失敗`,
    blocks: [
      { p: `${offerName(r)} 的發行在「${step(r)}」失敗：` },
      { list: findingLines(r).length ? findingLines(r) : ['未記錄其他詳細資料；請參閱狀態頁面。'] },
      { p: `後續步驟：修正訊息所描述的問題。${restart}` },
      { p: support(r) },
    ],
  }),
  internalFailure: (r) => ({
    subject: `${r.offerTitle} 的發行因我們這邊的問題在「${step(r)}」停止`,
    blocks: [
      { p: `${offerName(r)} 的發行因我們這邊的問題在「${step(r)}」停止，並不是您的供應項目有任何問題。` },
      { p: '我們的支援小組已收到通知並正在處理。供應項目不需要任何變更。' },
      { p: `可以放心再次發行：準備好時請按一下 [發行]；發行程序會從步驟 1「${firstStep}」重新開始。` },
      { p: `如果再次停止，請開啟支援要求並提供執行 ${r.runId}：${r.supportUrl}` },
    ],
  }),
  overdue: (r) => ({
    subject: `${r.offerTitle}：「${step(r)}」花費的時間比預期長`,
    blocks: [
      { p: `${offerName(r)} 發行的「${step(r)}」步驟已超過預期的時間範圍（${stepOf(r)?.estimatedTimeFrame ?? '不明'}）。` },
      { p: '您目前不需要做任何事；此步驟會繼續執行，完成或失敗時會以電子郵件通知您。' },
      { p: support(r) },
    ],
  }),
};

export const ZH_TW_MAIL: MailTexts = {
  templates: TEMPLATES,
  footer: (r): Block[] => [{ p: `此發行要求的狀態：${r.statusUrl}` }, { p: `執行 ${r.runId}` }],
};
