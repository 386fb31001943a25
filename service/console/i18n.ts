/**
 * The console's two languages: Chinese (the default) and English, chosen by the `lang` cookie
 * (the switch in every page's header). `t('中文', 'English')` picks the reader's.
 */
export type Lang = 'zh-CN' | 'en';

/** The language a `lang` cookie value asks for: English only when it says so. */
export const langOf = (cookie: string | undefined): Lang => (cookie === 'en' ? 'en' : 'zh-CN');

/** A picker of the reader's text. */
export type T = (zh: string, en: string) => string;

export const translator =
  (lang: Lang): T =>
  (zh, en) =>
    lang === 'en' ? en : zh;
