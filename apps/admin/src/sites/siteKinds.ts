import type { CustomTypeOptions } from 'i18next';
import { i18n } from '../i18n/index.ts';

type TranslatedKind = keyof CustomTypeOptions['resources']['translation']['siteKinds'];

const isTranslatedKind = (kind: string): kind is TranslatedKind => i18n.exists(`siteKinds.${kind}`);

/** Kinds are extensible (operators add their own slugs); one without a translation shows as written. */
export const siteKindLabel = (kind: string): string => (isTranslatedKind(kind) ? i18n.t(`siteKinds.${kind}`) : kind);
