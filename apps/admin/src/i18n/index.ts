/**
 * The UI speaks zh-CN and English. The choice is: what the person picked before (localStorage), else zh-CN for a
 * browser set to any Chinese, else English. The page's `lang` follows it, and the API client reads that `lang` to
 * ask for problem details in the same language.
 */
import type { Role, SITE_KINDS } from '@linli/contracts';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zhCN from './zh-CN.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'linli.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

function isLanguage(value: unknown): value is Language {
  return LANGUAGES.includes(value as Language);
}

function initialLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be blocked (private mode, strict settings); fall through to the browser's language.
  }
  if (isLanguage(stored)) return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

void i18n.use(initReactI18next).init({
  // `satisfies` makes typechecking fail when zh-CN misses a key of en, or when contracts gain a role or a site
  // kind that has no label yet.
  resources: {
    en: { translation: en satisfies { roles: Record<Role, string>; siteKinds: Record<(typeof SITE_KINDS)[number], string> } },
    'zh-CN': { translation: zhCN satisfies typeof en },
  },
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: LANGUAGES,
  interpolation: { escapeValue: false }, // React escapes already
});

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}

export async function changeLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not persisted; the switch still applies to this visit.
  }
  await i18n.changeLanguage(language);
}

export { i18n };
