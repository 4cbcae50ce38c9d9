/**
 * The languages the portal and the notification e-mails speak. A publish run keeps the language it
 * was published in (PublishInput.language), so its e-mails follow the publisher.
 */

export const LANGUAGES = ['en', 'zh-TW'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

export const isLanguage = (value: unknown): value is Language => (LANGUAGES as readonly unknown[]).includes(value);
