/** The activity analytics table as CSV, with its header row in the caller's language. */
import type { ActivityAnalyticsResponse, ActivityAnalyticsRow } from '@linli/contracts';
import { type CsvTable, toCsv } from '../../lib/csv.ts';

const COLUMNS: Record<keyof ActivityAnalyticsRow, { en: string; zh: string }> = {
  key: { en: 'key', zh: '编号' },
  label: { en: 'name', zh: '名称' },
  labelEn: { en: 'name (English)', zh: '英文名称' },
  organizerKind: { en: 'organizer kind', zh: '主办方类型' },
  sessions: { en: 'sessions held', zh: '举办场次' },
  placesOffered: { en: 'places offered', zh: '提供名额' },
  registrations: { en: 'registrations', zh: '报名数' },
  registeredPeople: { en: 'registered people', zh: '报名人数' },
  fillRate: { en: 'fill rate', zh: '满员率' },
  waitlistUnserved: { en: 'waitlist unserved', zh: '候补未获名额人数' },
  attendedPeople: { en: 'attended people', zh: '出席人数' },
  attendanceRate: { en: 'attendance rate', zh: '出席率' },
  noShowPeople: { en: 'no-show people', zh: '爽约人数' },
  noShowRate: { en: 'no-show rate', zh: '爽约率' },
  residentsReached: { en: 'residents reached', zh: '服务居民数' },
  newResidents: { en: 'new residents', zh: '新参与居民数' },
  repeatParticipants: { en: 'repeat participants', zh: '多次参与居民数' },
  feedbackCount: { en: 'feedback count', zh: '评价数' },
  averageRating: { en: 'average rating', zh: '平均评分' },
  responseRate: { en: 'response rate', zh: '评价率' },
  walkIns: { en: 'walk-ins', zh: '现场参与人数' },
};

export function activityAnalyticsCsv(r: ActivityAnalyticsResponse, language: 'zh' | 'en'): CsvTable {
  const columns = Object.keys(COLUMNS) as (keyof ActivityAnalyticsRow)[];
  return {
    filename: `linli-activities-${r.groupBy}-${r.from}-${r.to}.csv`,
    csv: toCsv(r.rows, columns, columns.map((c) => COLUMNS[c][language])),
  };
}
