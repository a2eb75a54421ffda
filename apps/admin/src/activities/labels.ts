import type { ActivityCategory } from '@linli/contracts';

const isEnglish = (language: string) => language.startsWith('en');

/** A category's name in the UI language, its key when the organization has no such category. */
export function categoryName(slug: string, categories: readonly ActivityCategory[], language: string): string {
  const found = categories.find((c) => c.slug === slug);
  if (!found) return slug;
  return isEnglish(language) ? found.nameEn : found.nameZh;
}

/** The English title where the activity has one. */
export function titleOf(item: { title: string; titleEn?: string | null }, language: string): string {
  return isEnglish(language) && item.titleEn ? item.titleEn : item.title;
}
