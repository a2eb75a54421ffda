/** The equipment analytics tables as CSV, with their header rows in the caller's language. */
import type { EquipmentAnalyticsResponse, EquipmentAnalyticsRow, EquipmentFlowRow, EquipmentFlowsResponse } from '@linli/contracts';
import { type CsvTable, toCsv } from '../../lib/csv.ts';

type Headers<Row> = Record<keyof Row, { en: string; zh: string }>;

const POOL_COLUMNS: Headers<EquipmentAnalyticsRow> = {
  typeId: { en: 'type id', zh: '类型编号' },
  typeKey: { en: 'type key', zh: '类型代码' },
  typeName: { en: 'type', zh: '器材类型' },
  typeNameEn: { en: 'type (English)', zh: '英文类型名' },
  siteId: { en: 'site id', zh: '站点编号' },
  siteName: { en: 'site', zh: '站点' },
  unitsOwned: { en: 'units owned (today)', zh: '拥有数量（今日）' },
  unitsInService: { en: 'units in service (today)', zh: '可用数量（今日）' },
  unitDaysAvailable: { en: 'unit-days available', zh: '可用件·天' },
  unitDaysLentOut: { en: 'unit-days lent out', zh: '借出件·天' },
  unitDaysOwnUse: { en: 'unit-days own use', zh: '自用件·天' },
  unitDaysIdle: { en: 'unit-days idle', zh: '闲置件·天' },
  lendShare: { en: 'lend share', zh: '借出率' },
  loansMade: { en: 'loans made', zh: '借出次数' },
  unitsLent: { en: 'units lent', zh: '借出件数' },
  loansReceived: { en: 'loans received', zh: '借入次数' },
  unitsBorrowed: { en: 'units borrowed', zh: '借入件数' },
  refusals: { en: 'requests refused', zh: '未满足申请数' },
  unitsRequestedRefused: { en: 'units requested (refused)', zh: '未满足申请件数' },
  unitsShort: { en: 'units short', zh: '短缺件数' },
  loansOverdue: { en: 'loans overdue', zh: '逾期次数' },
  overdueRate: { en: 'overdue rate', zh: '逾期率' },
  unitsChecked: { en: 'units checked back', zh: '验收件数' },
  unitsDamagedOrMissing: { en: 'units damaged or missing', zh: '损坏或遗失件数' },
  damageRate: { en: 'damage rate', zh: '损坏率' },
};

const FLOW_COLUMNS: Headers<EquipmentFlowRow> = {
  lenderSiteId: { en: 'lender site id', zh: '出借站点编号' },
  lenderSiteName: { en: 'lender site', zh: '出借站点' },
  borrowerSiteId: { en: 'borrower site id', zh: '借入站点编号' },
  borrowerSiteName: { en: 'borrower site', zh: '借入站点' },
  typeId: { en: 'type id', zh: '类型编号' },
  typeName: { en: 'type', zh: '器材类型' },
  loans: { en: 'loans', zh: '借用次数' },
  units: { en: 'units', zh: '件数' },
};

function table<Row extends Record<string, unknown>>(rows: readonly Row[], headers: Headers<Row>, language: 'zh' | 'en'): string {
  const columns = Object.keys(headers) as (keyof Row & string)[];
  return toCsv(rows, columns, columns.map((c) => headers[c][language]));
}

export function equipmentAnalyticsCsv(r: EquipmentAnalyticsResponse, language: 'zh' | 'en'): CsvTable {
  return { filename: `linli-equipment-${r.from}-${r.to}.csv`, csv: table(r.rows, POOL_COLUMNS, language) };
}

export function equipmentFlowsCsv(r: EquipmentFlowsResponse, language: 'zh' | 'en'): CsvTable {
  return { filename: `linli-equipment-flows-${r.from}-${r.to}.csv`, csv: table(r.rows, FLOW_COLUMNS, language) };
}
