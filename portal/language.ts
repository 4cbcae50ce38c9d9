/**
 * The portal's language: the one the visitor chose (a cookie, set by the language switch), else
 * the best match of the browser's Accept-Language, else English.
 */
import type { Request } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../domain/languages';

export const LANGUAGE_COOKIE = 'portal_lang';

/** Accept-Language tags we answer, and the language each gets (Traditional Chinese in its usual tags). */
const OFFERED: Record<string, Language> = {
  en: 'en',
  'zh-TW': 'zh-TW',
  'zh-Hant': 'zh-TW',
  'zh-Hant-TW': 'zh-TW',
  'zh-HK': 'zh-TW',
  'zh-MO': 'zh-TW',
};

export function requestLanguage(req: Request, chosen: string | undefined): Language {
  if (isLanguage(chosen)) return chosen;
  const best = req.acceptsLanguages(Object.keys(OFFERED));
  return (best && OFFERED[best]) || DEFAULT_LANGUAGE;
}
