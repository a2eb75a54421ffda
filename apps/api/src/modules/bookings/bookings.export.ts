/**
 * The bookings list as a CSV file for the desk (issue #14): the list's filters and sort, every matching row, headers
 * and labels in the asked language, times in each booking's site zone (named in its own column), the booker shown
 * as the list shows them (masked phone). More rows than MAX_BOOKINGS_EXPORT_ROWS are refused, not cut short: a
 * file that silently stops at row 10,000 reads as the whole truth.
 */
import { type ExportBookingsQuery, MAX_BOOKINGS_EXPORT_ROWS } from '@linli/contracts';
import type { Database } from '@linli/db';
import { toZonedDateTime } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import { type CsvTable, toCsv } from '../../lib/csv.ts';
import { readCatalogue } from '../catalogue/catalogue.ts';
import { answerBookingWith } from '../claims/booking-answers.ts';
import { findBookingViews } from './bookings.repository.ts';

type Lang = ExportBookingsQuery['lang'];

const COLUMNS = [
  'checkInCode', 'status', 'source', 'siteName', 'spaceName', 'startAt', 'endAt', 'timezone', 'partySize',
  'bookerName', 'bookerPhone', 'walkIn', 'homeSiteName', 'purpose', 'checkedInAt', 'createdAt', 'id',
] as const;
type Column = (typeof COLUMNS)[number];

const HEADERS: Record<Lang, Record<Column, string>> = {
  'zh-CN': {
    checkInCode: '签到码', status: '状态', source: '来源', siteName: '站点', spaceName: '空间', startAt: '开始时间', endAt: '结束时间',
    timezone: '时区', partySize: '人数', bookerName: '预约人', bookerPhone: '手机号', walkIn: '现场登记', homeSiteName: '所属站点',
    purpose: '用途', checkedInAt: '签到时间', createdAt: '创建时间', id: '预约编号',
  },
  en: {
    checkInCode: 'Check-in code', status: 'Status', source: 'Source', siteName: 'Site', spaceName: 'Space', startAt: 'Start', endAt: 'End',
    timezone: 'Time zone', partySize: 'Party size', bookerName: 'Booked for', bookerPhone: 'Phone', walkIn: 'Walk-in', homeSiteName: 'Home site',
    purpose: 'Purpose', checkedInAt: 'Checked in at', createdAt: 'Created at', id: 'Booking id',
  },
};

const STATUS_LABELS: Record<Lang, Record<string, string>> = {
  'zh-CN': { pending: '待审批', confirmed: '已确认', rejected: '已拒绝', expired: '已过期', cancelled: '已取消', checked_in: '已签到', completed: '已完成', no_show: '未到场' },
  en: { pending: 'Pending', confirmed: 'Confirmed', rejected: 'Rejected', expired: 'Expired', cancelled: 'Cancelled', checked_in: 'Checked in', completed: 'Completed', no_show: 'No-show' },
};
const SOURCE_LABELS: Record<Lang, Record<string, string>> = {
  'zh-CN': { resident: '居民预约', staff: '工作人员代订', activity: '活动', series: '重复预约', waitlist: '候补' },
  en: { resident: 'Resident', staff: 'Staff', activity: 'Activity', series: 'Series', waitlist: 'Waitlist' },
};
const YES_NO: Record<Lang, [string, string]> = { 'zh-CN': ['是', '否'], en: ['yes', 'no'] };

/** An instant as the site's wall clock reads it: what a person at that site would write down. */
const localTime = (iso: string | null, zone: string) => (iso ? toZonedDateTime(new Date(iso), zone).toFormat('yyyy-MM-dd HH:mm') : null);

export async function exportBookingsCsv(db: Database, actor: Actor, query: ExportBookingsQuery): Promise<CsvTable> {
  const views = await findBookingViews(db, actor, query, MAX_BOOKINGS_EXPORT_ROWS + 1);
  if (views.length > MAX_BOOKINGS_EXPORT_ROWS) {
    throw new AppError('EXPORT_TOO_LARGE', { details: { maxRows: MAX_BOOKINGS_EXPORT_ROWS } });
  }
  const catalogue = await readCatalogue(db, actor.orgId);
  const lang = query.lang;
  const rows = views.map(({ booking: row, booker: columns }) => {
    const booking = answerBookingWith(catalogue, actor, row, columns);
    const site = catalogue.sites.get(booking.siteId);
    const zone = site?.timezone ?? 'UTC';
    return {
      checkInCode: booking.checkInCode,
      status: STATUS_LABELS[lang][booking.status] ?? booking.status,
      source: SOURCE_LABELS[lang][booking.source] ?? booking.source,
      siteName: site?.name ?? null,
      spaceName: catalogue.spaces.get(booking.spaceId)?.name ?? null,
      startAt: localTime(booking.startAt, zone),
      endAt: localTime(booking.endAt, zone),
      timezone: zone,
      partySize: booking.partySize,
      bookerName: booking.booker?.displayName ?? null,
      bookerPhone: booking.booker?.maskedPhone ?? null,
      walkIn: booking.booker ? YES_NO[lang][booking.booker.walkIn ? 0 : 1] : null,
      homeSiteName: booking.booker?.homeSiteName ?? null,
      purpose: booking.purpose,
      checkedInAt: localTime(booking.checkedInAt, zone),
      createdAt: localTime(booking.createdAt, zone),
      id: booking.id,
    } satisfies Record<Column, unknown>;
  });
  const headers = COLUMNS.map((column) => HEADERS[lang][column]);
  return { filename: 'bookings.csv', csv: toCsv(rows, COLUMNS, headers) };
}
