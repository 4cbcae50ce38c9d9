/**
 * What the publisher reads of each step, per language. English is domain/steps.ts; Traditional
 * Chinese uses the words of the original portal's documentation (驗證必要元件, 認證, 佈建, …) and
 * its time frames ("< 5 天"). Shared by the portal and the e-mails. Pure: safe in workflow code.
 */
import type { Language } from './languages';
import { stepDefinition, type StepId } from './steps';

export interface StepTexts {
  stepName: string;
  description: string;
  estimatedTimeFrame: string;
}

const ZH_TW: Record<StepId, StepTexts> = {
  validate: {
    stepName: '驗證必要元件',
    description: '檢查供應項目的每個必要欄位都已正確填入、映像可供讀取，以及標誌的大小正確。',
    estimatedTimeFrame: '< 1 天',
  },
  certify: {
    stepName: '認證',
    description: '對每個 VM 映像執行認證測試。',
    estimatedTimeFrame: '< 5 天',
  },
  provision: {
    stepName: '佈建',
    description: '將每個映像複寫到每個目標區域。',
    estimatedTimeFrame: '< 1 天',
  },
  package: {
    stepName: '封裝和潛在客戶開發註冊',
    description: '將技術與行銷內容合併成產品頁面；若設定了潛在客戶開發，傳送一筆測試潛在客戶。',
    estimatedTimeFrame: '< 1 小時',
  },
  preview: {
    stepName: '供應項目可供預覽',
    description: '列入允許清單的訂用帳戶可以預覽供應項目。',
    estimatedTimeFrame: '數分鐘',
  },
  signoff: {
    stepName: '發行者登出',
    description: '等候發行者按一下 [上線]。',
    estimatedTimeFrame: '等候發行者',
  },
  live: {
    stepName: '上線',
    description: '供應項目移至正式的 Marketplace 目錄。',
    estimatedTimeFrame: '數小時',
  },
};

export function stepTexts(id: StepId, language: Language): StepTexts {
  if (language === 'zh-TW') return ZH_TW[id];
  const { stepName, description, estimatedTimeFrame } = stepDefinition(id);
  return { stepName, description, estimatedTimeFrame };
}
