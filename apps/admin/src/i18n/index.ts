/**
 * The UI speaks zh-CN and English. The choice is: what the person picked before (localStorage), else zh-CN for a
 * browser set to any Chinese, else English. The page's `lang` follows it, and the API client reads that `lang` to
 * ask for problem details in the same language.
 *
 * Only the language in use is downloaded (issue #14.7: a resident's phone should not fetch the strings of a
 * language it does not show); the other one is fetched when someone switches. `i18nReady` resolves once the
 * initial language is in, and main.tsx renders after it.
 */
import type { Role, SITE_KINDS } from '@linli/contracts';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * The strings are split by area (`areas/<area>.<language>.json`) so that work on one part of the app does not
 * edit the same file as work on another. Each area adds its own top-level keys; none overrides another's.
 * English is the reference: the types below are English's, and every zh-CN file must satisfy its English twin.
 */
type BaseStrings = typeof import('./en.json');
type FrontDeskStrings = typeof import('./areas/frontdesk.en.json');
type SetupStrings = typeof import('./areas/setup.en.json');
type WeekStrings = typeof import('./areas/week.en.json');
type Translation = BaseStrings & FrontDeskStrings & SetupStrings & WeekStrings;

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * One dynamic import per file, so each language is its own chunk. `satisfies` makes typechecking fail when zh-CN
 * misses a key of en, or when contracts gain a role or a site kind that has no label yet.
 */
const LOAD_STRINGS: Record<Language, () => Promise<Translation>> = {
  en: async () => {
    const [base, frontDesk, setup, week] = await Promise.all([
      import('./en.json'),
      import('./areas/frontdesk.en.json'),
      import('./areas/setup.en.json'),
      import('./areas/week.en.json'),
    ]);
    const en = { ...base.default, ...frontDesk.default, ...setup.default, ...week.default };
    return en satisfies { roles: Record<Role, string>; siteKinds: Record<(typeof SITE_KINDS)[number], string> };
  },
  'zh-CN': async () => {
    const [base, frontDesk, setup, week] = await Promise.all([
      import('./zh-CN.json'),
      import('./areas/frontdesk.zh-CN.json'),
      import('./areas/setup.zh-CN.json'),
      import('./areas/week.zh-CN.json'),
    ]);
    return {
      ...(base.default satisfies BaseStrings),
      ...(frontDesk.default satisfies FrontDeskStrings),
      ...(setup.default satisfies SetupStrings),
      ...(week.default satisfies WeekStrings),
    };
  },
};

const STORAGE_KEY = 'linli.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: Translation };
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

/** Adds a language's strings unless they are in already (switching back and forth fetches each once). */
async function loadLanguage(language: Language): Promise<void> {
  if (i18n.hasResourceBundle(language, 'translation')) return;
  i18n.addResourceBundle(language, 'translation', await LOAD_STRINGS[language]());
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

async function initialize(): Promise<void> {
  const language = initialLanguage();
  await i18n.use(initReactI18next).init({
    // Filled by loadLanguage; `partialBundledLanguages` tells i18next that the rest arrives later.
    resources: {},
    partialBundledLanguages: true,
    lng: language,
    // No fallback language: falling back would mean downloading the other language too. zh-CN has every key of
    // en (checked above), so there is nothing to fall back for.
    fallbackLng: false,
    supportedLngs: LANGUAGES,
    interpolation: { escapeValue: false }, // React escapes already
  });
  await loadLanguage(language);
}

/** Resolves when the initial language's strings are in; rejects when they could not be fetched. */
export const i18nReady: Promise<void> = initialize();

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}

export async function changeLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not persisted; the switch still applies to this visit.
  }
  await loadLanguage(language);
  await i18n.changeLanguage(language);
}

export { i18n };
