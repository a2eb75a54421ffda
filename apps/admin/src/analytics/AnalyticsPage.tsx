import type { CrossSiteRow, SiteRankingResponse } from '@linli/contracts';
import { Alert, App, Button, Card, Col, DatePicker, Dropdown, Empty, Flex, Row, Select, Skeleton, Statistic, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { Suspense, lazy, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { describeError } from '../api/describeError.ts';
import type { PageProps } from '../shell/page-props.ts';
import { siteKindLabel } from '../sites/siteKinds.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { todayIn } from '../time/zoned.ts';
import { ANALYTICS_REPORTS, type AnalyticsFilter, analyticsQueries, downloadCsv } from './analytics.api.ts';

const EChart = lazy(() => import('./EChart.tsx'));

const percent = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`);

/** Portfolio dashboard: which sites are used, when, how residents behave, and what demand went unmet. */
export default function AnalyticsPage({ title }: PageProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const portfolio = usePortfolio();
  // A portfolio's days are the organization's (sites may differ, but one dashboard needs one calendar).
  const organizationZone = portfolio.data?.organizationZone;
  const today = organizationZone ? dayjs(todayIn(organizationZone)) : dayjs().startOf('day');
  const yesterday = today.subtract(1, 'day');
  const [chosen, setPeriod] = useState<[Dayjs, Dayjs] | null>(null);
  const period = chosen ?? [yesterday.subtract(27, 'day'), yesterday];
  const [kind, setKind] = useState<string | undefined>();
  const [district, setDistrict] = useState<string | undefined>();
  // Query keys compare by value: a filter rebuilt each render is the same query.
  const filter: AnalyticsFilter = { from: period[0].format('YYYY-MM-DD'), to: period[1].format('YYYY-MM-DD'), kind, district };
  // The last dashboard stays on screen (dimmed) while another period is read.
  const dashboard = useQuery({ ...analyticsQueries.dashboard(filter), enabled: organizationZone !== undefined, placeholderData: keepPreviousData });
  const loading = dashboard.isFetching;
  const kinds = [...new Set(portfolio.data?.sites.map((s) => s.kind) ?? [])];
  const districts = [...new Set(portfolio.data?.sites.map((s) => s.district) ?? [])].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const data = dashboard.data;

  const total = data?.behaviour.rows.find((row) => row.siteId === null);
  const unmetTotal = data?.unmet.sites.reduce((sum, s) => sum + s.total, 0) ?? 0;
  const current = data?.trend.rows[0] ? averageUtilization(data.trend.rows) : null;
  const before = data?.previousTrend.rows[0] ? averageUtilization(data.previousTrend.rows) : null;

  return (
    <Flex vertical gap="middle">
      <Flex align="center" justify="space-between" gap="middle" wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        <Dropdown
          menu={{
            items: ANALYTICS_REPORTS.map((report) => ({ key: report, label: t(`analytics.reports.${report}`) })),
            onClick: ({ key }) => void downloadCsv(key as (typeof ANALYTICS_REPORTS)[number], filter).catch((e: unknown) => void message.error(describeError(e))),
          }}
        >
          <Button>{t('analytics.downloadCsv')}</Button>
        </Dropdown>
      </Flex>
      <Flex gap="small" wrap>
        <DatePicker.RangePicker
          aria-label={t('analytics.period')}
          value={period}
          allowClear={false}
          disabledDate={(day) => day.isAfter(today, 'day')}
          presets={[
            { label: t('analytics.last7'), value: [yesterday.subtract(6, 'day'), yesterday] },
            { label: t('analytics.last28'), value: [yesterday.subtract(27, 'day'), yesterday] },
            { label: t('analytics.last90'), value: [yesterday.subtract(89, 'day'), yesterday] },
          ]}
          onChange={(value) => value?.[0] && value[1] && setPeriod([value[0], value[1]])}
        />
        <Select allowClear placeholder={t('sites.kind')} aria-label={t('sites.kind')} style={{ minWidth: 180 }} value={kind} onChange={setKind} options={kinds.map((k) => ({ value: k, label: siteKindLabel(k) }))} />
        <Select allowClear placeholder={t('sites.district')} aria-label={t('sites.district')} style={{ minWidth: 160 }} value={district} onChange={setDistrict} options={districts.map((d) => ({ value: d, label: d }))} />
      </Flex>
      {dashboard.error ? (
        <Alert type="error" showIcon title={t('analytics.loadFailed')} description={describeError(dashboard.error)} action={<Button onClick={() => void dashboard.refetch()}>{t('errors.retry')}</Button>} />
      ) : null}
      {!data && !dashboard.error ? <Skeleton active paragraph={{ rows: 10 }} /> : null}
      {data ? (
        <div style={{ opacity: loading ? 0.6 : 1 }} aria-busy={loading} data-testid="analytics">
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('analytics.utilization')} value={percent(current)} />
                <Typography.Text type={current !== null && before !== null && current >= before ? 'success' : 'danger'}>
                  {current !== null && before !== null ? t('analytics.vsPrevious', { change: `${current >= before ? '+' : ''}${((current - before) * 100).toFixed(1)}` }) : '—'}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('analytics.medianSite')} value={percent(data.ranking.portfolio.median)} />
                <Typography.Text type="secondary">{t('analytics.sitesRanked', { count: data.ranking.portfolio.count })}</Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('analytics.noShowRate')} value={percent(total?.noShowRate)} />
                <Typography.Text type="secondary">{t('analytics.noShows', { count: total?.noShows ?? 0 })}</Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('analytics.unmet')} value={unmetTotal} />
                <Typography.Text type="secondary">{t('analytics.bookings', { count: total?.bookings ?? 0 })}</Typography.Text>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card size="small" title={t('analytics.trend')}>
                <Suspense fallback={<Skeleton active />}>
                  <EChart label={t('analytics.trend')} option={trendOption(data.trend.rows, data.previousTrend.rows, t)} height={280} />
                </Suspense>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card size="small" title={t('analytics.heatmap')}>
                <Suspense fallback={<Skeleton active />}>
                  <EChart label={t('analytics.heatmap')} option={heatmapOption(data.heatmap.cells, t)} height={280} />
                </Suspense>
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('analytics.ranking')}>
                {data.ranking.rows.length ? <RankingCharts ranking={data.ranking} /> : <Empty />}
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('analytics.unmetByHour')}>
                {data.unmet.rows.length ? (
                  <Suspense fallback={<Skeleton active />}>
                    <EChart label={t('analytics.unmetByHour')} option={unmetOption(data.unmet.rows, t)} height={260} />
                  </Suspense>
                ) : (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('analytics.noUnmet')} />
                )}
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('analytics.crossSite')}>
                <CrossSiteTable rows={data.crossSite.rows} />
              </Card>
            </Col>
          </Row>
        </div>
      ) : null}
    </Flex>
  );
}

// i18next's own type: deriving it from the hook's return type makes TypeScript give up once there are many keys.
type Translate = TFunction;

function averageUtilization(rows: { openMinutes: number; bookedMinutes: number }[]): number | null {
  const open = rows.reduce((sum, row) => sum + row.openMinutes, 0);
  return open ? rows.reduce((sum, row) => sum + row.bookedMinutes, 0) / open : null;
}

function RankingCharts({ ranking }: { ranking: SiteRankingResponse }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap="large">
      {ranking.kinds.map((kind) => {
        const rows = ranking.rows.filter((row) => row.kind === kind.kind && row.utilization !== null).sort((a, b) => (a.rankInKind ?? 99) - (b.rankInKind ?? 99));
        if (!rows.length) return null;
        return (
          <div key={kind.kind}>
            <Typography.Text strong>
              {siteKindLabel(kind.kind)} · {t('analytics.median')} {percent(kind.median)}
            </Typography.Text>
            <Suspense fallback={<Skeleton active />}>
              <EChart
                label={`${t('analytics.ranking')} ${siteKindLabel(kind.kind)}`}
                height={Math.max(140, rows.length * 24 + 60)}
                option={{
                  // Room above the bars for the median's label, so it never sits on a bar.
                  grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
                  tooltip: { trigger: 'axis', valueFormatter: (v: number) => percent(v) },
                  xAxis: { type: 'value', axisLabel: { formatter: (v: number) => percent(v) } },
                  yAxis: { type: 'category', inverse: true, data: rows.map((row) => row.siteName), axisLabel: { width: 180, overflow: 'truncate' } },
                  series: [
                    {
                      type: 'bar',
                      data: rows.map((row) => row.utilization),
                      itemStyle: { color: '#0f766e' },
                      label: { show: true, position: 'right', formatter: ({ value }: { value: number }) => percent(value) },
                      markLine:
                        kind.median === null
                          ? undefined
                          : {
                              symbol: 'none',
                              silent: true,
                              data: [{ xAxis: kind.median, name: t('analytics.median') }],
                              lineStyle: { color: '#b45309', type: 'dashed', width: 1 },
                              // 'end' is past the line's top end, in the room left above the grid; inside, it covered the first bar.
                              label: { formatter: `${t('analytics.median')} ${percent(kind.median)}`, position: 'end', color: '#92400e' },
                            },
                    },
                  ],
                }}
              />
            </Suspense>
          </div>
        );
      })}
    </Flex>
  );
}

/**
 * Which sites served which sites' residents, biggest flows first (each column sorts): a site serving its own
 * residents is tagged, not hidden.
 */
function CrossSiteTable({ rows }: { rows: CrossSiteRow[] }) {
  const { t } = useTranslation();
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('analytics.noCrossSite')} />;
  return (
    <Table<CrossSiteRow>
      size="small"
      data-testid="cross-site"
      rowKey={(row) => `${row.servingSiteId}|${row.homeSiteId ?? ''}`}
      dataSource={rows}
      pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
      scroll={{ x: 'max-content' }}
      columns={[
        { key: 'serving', title: t('analytics.crossSiteColumns.servingSite'), dataIndex: 'servingSiteName', sorter: (a, b) => a.servingSiteName.localeCompare(b.servingSiteName, 'zh-CN') },
        {
          key: 'home',
          title: t('analytics.crossSiteColumns.homeSite'),
          render: (_, row) =>
            row.homeSiteId === null ? (
              <Typography.Text type="secondary">{t('analytics.noHomeSite')}</Typography.Text>
            ) : (
              <Flex gap={4} align="center">
                {row.homeSiteName}
                {row.homeSiteId === row.servingSiteId ? <Tag>{t('analytics.ownResidents')}</Tag> : null}
              </Flex>
            ),
        },
        { key: 'bookings', title: t('analytics.crossSiteColumns.bookings'), dataIndex: 'bookings', align: 'right', defaultSortOrder: 'descend', sorter: (a, b) => a.bookings - b.bookings },
        { key: 'hours', title: t('analytics.crossSiteColumns.hours'), align: 'right', sorter: (a, b) => a.bookedMinutes - b.bookedMinutes, render: (_, row) => (row.bookedMinutes / 60).toFixed(1) },
        { key: 'residents', title: t('analytics.crossSiteColumns.residents'), dataIndex: 'residents', align: 'right', sorter: (a, b) => a.residents - b.residents },
      ]}
    />
  );
}

function trendOption(current: { bucketStart: string; utilization: number | null }[], previous: { utilization: number | null }[], t: Translate) {
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => percent(v) },
    legend: { top: 0 },
    xAxis: { type: 'category', data: current.map((row) => row.bucketStart.slice(5)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${(v * 100).toFixed(1)}%` } },
    series: [
      { name: t('analytics.thisPeriod'), type: 'line', smooth: true, data: current.map((row) => row.utilization), itemStyle: { color: '#0f766e' } },
      { name: t('analytics.previousPeriod'), type: 'line', smooth: true, data: previous.map((row) => row.utilization), itemStyle: { color: '#94a3b8' }, lineStyle: { type: 'dashed' } },
    ],
  };
}

function heatmapOption(cells: { weekday: number; hour: number; utilization: number | null }[], t: Translate) {
  const days = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => t(`hours.days.${d}`));
  const max = Math.max(0.0001, ...cells.map((cell) => cell.utilization ?? 0));
  return {
    grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
    tooltip: { formatter: ({ value }: { value: [number, number, number] }) => `${days[value[1]]} ${value[0]}:00 · ${percent(value[2])}` },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => String(h)), splitArea: { show: true } },
    yAxis: { type: 'category', data: days, inverse: true, splitArea: { show: true } },
    // The legend's ends carry their values (a bare gradient said nothing); `text` is [high end, low end].
    visualMap: {
      min: 0,
      max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      text: [percent(max, 0), percent(0, 0)],
      inRange: { color: ['#f0fdfa', '#0f766e'] },
    },
    series: [{ type: 'heatmap', data: cells.map((cell) => [cell.hour, cell.weekday, cell.utilization ?? 0]) }],
  };
}

function unmetOption(rows: { hour: number; refusedTaken: number; refusedFull: number; waitlistUnserved: number; searchEmpty: number }[], t: Translate) {
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const sum = (key: 'refusedTaken' | 'refusedFull' | 'waitlistUnserved' | 'searchEmpty') => hours.map((h) => rows.filter((r) => r.hour === h).reduce((s, r) => s + r[key], 0));
  const colors = { refusedTaken: '#b91c1c', refusedFull: '#b45309', waitlistUnserved: '#7c3aed', searchEmpty: '#475569' };
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'category', data: hours.map((h) => `${h}:00`) },
    yAxis: { type: 'value', minInterval: 1 },
    series: (['refusedTaken', 'refusedFull', 'waitlistUnserved', 'searchEmpty'] as const).map((key) => ({
      name: t(`analytics.unmetKinds.${key}`),
      type: 'bar',
      stack: 'unmet',
      data: sum(key),
      itemStyle: { color: colors[key] },
    })),
  };
}
