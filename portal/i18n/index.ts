/** The portal's texts per language; each catalogue has every text of the English one (its type). */
import type { Language } from '../../domain/languages';
import { en, type Messages } from './en';
import { zhTW } from './zh-tw';

const CATALOGUES: Record<Language, Messages> = { en, 'zh-TW': zhTW };

export const messagesFor = (language: Language): Messages => CATALOGUES[language];
export type { Messages };
