import { useTranslation } from 'react-i18next';
import { Segmented } from '../ui/light.tsx';
import { type Language, changeLanguage, currentLanguage } from './index.ts';

// Each language is named in itself, so someone who cannot read the current one still finds theirs.
const OPTIONS = [
  { value: 'zh-CN', label: <span lang="zh-CN">中文</span> },
  { value: 'en', label: <span lang="en">English</span> },
] as const satisfies readonly { value: Language; label: React.ReactNode }[];

export function LanguageSwitch() {
  const { t } = useTranslation();
  return <Segmented<Language> label={t('language.label')} size="small" options={OPTIONS} value={currentLanguage()} onChange={(language) => void changeLanguage(language)} />;
}
