import { Segmented } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { type Language, changeLanguage, currentLanguage } from './index.ts';

// Each language is named in itself, so someone who cannot read the current one still finds theirs.
const OPTIONS = [
  { value: 'zh-CN', label: <span lang="zh-CN">中文</span> },
  { value: 'en', label: <span lang="en">English</span> },
] satisfies { value: Language; label: ReactNode }[];

export function LanguageSwitch() {
  const { t } = useTranslation();
  return (
    <Segmented<Language>
      aria-label={t('language.label')}
      size="small"
      options={OPTIONS}
      value={currentLanguage()}
      onChange={(language) => void changeLanguage(language)}
    />
  );
}
