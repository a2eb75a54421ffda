import { Alert, Button, Calendar, Card, Empty, Flex, Grid, Segmented, Select, Skeleton, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
// antd's calendar names weekdays and starts weeks by the dayjs locale matching its own (zh_CN -> zh-cn).
import 'dayjs/locale/zh-cn';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, formatLocalDate, formatTime, todayIn } from '../time/zoned.ts';
import { ActivityDrawer } from './ActivityDrawer.tsx';
import { type RowStatus, STATUS_COLORS, type SessionRow, categoryName, rowsOf, titleOf } from './model.ts';
import { activityQueries, programmeQueries } from './programme.api.ts';
import { SessionDrawer } from './SessionDrawer.tsx';

type View = 'month' | 'week' | 'list';
const STATUSES: RowStatus[] = ['draft', 'published', 'completed', 'cancelled'];
const ISO = 'YYYY-MM-DD';

function mondayOf(date: Dayjs): Dayjs {
  return date.subtract((date.day() + 6) % 7, 'day').startOf('day');
}

/** The site team's programme: sessions of every activity at my sites by month, week or as a list. */
export default function ProgrammePage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const screens = Grid.useBreakpoint();
  const [view, setView] = useState<View>(() => (window.matchMedia('(min-width: 768px)').matches ? 'month' : 'list'));
  const [anchor, setAnchor] = useState<Dayjs>(() => dayjs().startOf('day'));
  const [siteId, setSiteId] = useState<string | undefined>();
  const [category, setCategory] = useState<string | undefined>();
  const [status, setStatus] = useState<RowStatus | undefined>();
  const [activityDrawer, setActivityDrawer] = useState<{ id: string | null } | null>(null);
  const [openRow, setOpenRow] = useState<SessionRow | null>(null);

  const portfolio = usePortfolio();
  const categories = useQuery(activityQueries.categories());
  const activities = useQuery(programmeQueries.withSessions());
  // "Today" is the organization's today, not the browser's (a laptop set to another zone still lands on it).
  const organizationZone = portfolio.data?.organizationZone;
  useEffect(() => {
    if (organizationZone) setAnchor(dayjs(todayIn(organizationZone)));
  }, [organizationZone]);

  const from = view === 'week' ? mondayOf(anchor).format(ISO) : anchor.startOf('month').format(ISO);
  const to = view === 'week' ? addDaysToLocalDate(from, 6) : anchor.endOf('month').format(ISO);
  const places = useQuery({ ...programmeQueries.placesLeft(user?.orgId ?? '', from, to), enabled: user !== null });
  const placesLeft = useMemo(() => new Map((places.data?.items ?? []).map((item) => [item.sessionId, item.placesLeft])), [places.data]);

  const rows = useMemo(() => {
    if (!portfolio.data) return [];
    const all = rowsOf(activities.data ?? [], portfolio.data, placesLeft);
    return all.filter(
      (row) =>
        row.localDate >= from &&
        row.localDate <= to &&
        (!siteId || row.session.siteId === siteId) &&
        (!category || row.activity.category === category) &&
        (!status || row.status === status),
    );
  }, [activities.data, portfolio.data, placesLeft, from, to, siteId, category, status]);

  const step = (direction: 1 | -1) => setAnchor((a) => (view === 'week' ? a.add(direction * 7, 'day') : a.add(direction, 'month').startOf('month')));
  const periodLabel =
    view === 'week'
      ? t('programme.weekOf', { date: formatLocalDate(from, i18n.language) })
      : new Intl.DateTimeFormat(i18n.language, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${from}T12:00:00Z`));

  const sessionButton = (row: SessionRow, compact = false) => (
    <button
      key={row.session.id}
      type="button"
      className="programme-session"
      data-testid="programme-session"
      onClick={(e) => {
        e.stopPropagation();
        setOpenRow(row);
      }}
      style={{
        display: 'block',
        width: '100%',
        textAlign: 'start',
        border: 0,
        borderInlineStart: `3px solid ${row.status === 'cancelled' ? '#ff4d4f' : row.status === 'draft' ? '#bfbfbf' : '#1677ff'}`,
        background: row.status === 'cancelled' ? '#fff1f0' : '#f0f5ff',
        borderRadius: 4,
        padding: compact ? '1px 4px' : '4px 8px',
        marginBottom: 2,
        cursor: 'pointer',
        font: 'inherit',
        fontSize: 12,
        overflow: 'hidden',
        whiteSpace: compact ? 'nowrap' : 'normal',
        textOverflow: 'ellipsis',
        textDecoration: row.status === 'cancelled' ? 'line-through' : undefined,
      }}
    >
      {formatTime(row.session.startAt, row.zone, i18n.language)} {titleOf(row.activity, i18n.language)}
      {compact ? null : (
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
          {row.siteName} · {row.spaceName}
          {row.held !== null ? ` · ${t('programme.placesHeld', { held: row.held, places: row.session.places })}` : ''}
        </Typography.Text>
      )}
    </button>
  );

  const byDate = useMemo(() => {
    const map = new Map<string, SessionRow[]>();
    for (const row of rows) map.set(row.localDate, [...(map.get(row.localDate) ?? []), row]);
    return map;
  }, [rows]);

  const columns: TableColumnsType<SessionRow> = [
    { key: 'date', title: t('programme.columns.date'), render: (_, row) => formatLocalDate(row.localDate, i18n.language), width: 120 },
    {
      key: 'time',
      title: t('programme.columns.time'),
      render: (_, row) => `${formatTime(row.session.startAt, row.zone, i18n.language)}–${formatTime(row.session.endAt, row.zone, i18n.language)}`,
      width: 110,
    },
    {
      key: 'title',
      title: t('programme.columns.title'),
      render: (_, row) => (
        <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }} onClick={() => setOpenRow(row)}>
          {titleOf(row.activity, i18n.language)}
        </Button>
      ),
    },
    { key: 'category', title: t('programme.columns.category'), render: (_, row) => categoryName(categories.data?.items, row.activity.category, i18n.language), responsive: ['md'] },
    { key: 'site', title: t('programme.columns.site'), render: (_, row) => `${row.siteName} · ${row.spaceName}`, responsive: ['md'] },
    {
      key: 'places',
      title: t('programme.columns.places'),
      render: (_, row) => (row.held === null ? `— / ${row.session.places}` : t('programme.placesHeld', { held: row.held, places: row.session.places })),
      width: 120,
    },
    { key: 'status', title: t('programme.columns.status'), render: (_, row) => <Tag color={STATUS_COLORS[row.status]}>{t(`programme.statuses.${row.status}`)}</Tag>, width: 100 },
    {
      key: 'actions',
      title: t('programme.columns.actions'),
      responsive: ['lg'],
      render: (_, row) => (
        <Button size="small" onClick={() => setActivityDrawer({ id: row.activity.id })}>
          {t('programme.activity')}
        </Button>
      ),
      width: 100,
    },
  ];

  // On a phone the table keeps three columns: when, what (with where and places), status.
  const phoneColumns: TableColumnsType<SessionRow> = [
    {
      key: 'when',
      title: t('programme.columns.date'),
      width: 96,
      render: (_, row) => (
        <Flex vertical>
          <span>{formatLocalDate(row.localDate, i18n.language)}</span>
          <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
            {formatTime(row.session.startAt, row.zone, i18n.language)}–{formatTime(row.session.endAt, row.zone, i18n.language)}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'title',
      title: t('programme.columns.title'),
      render: (_, row) => (
        <Flex vertical align="start">
          <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }} onClick={() => setOpenRow(row)}>
            {titleOf(row.activity, i18n.language)}
          </Button>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {row.siteName} · {row.held === null ? `— / ${row.session.places}` : t('programme.placesHeld', { held: row.held, places: row.session.places })}
          </Typography.Text>
        </Flex>
      ),
    },
    { key: 'status', title: t('programme.columns.status'), width: 76, render: (_, row) => <Tag color={STATUS_COLORS[row.status]}>{t(`programme.statuses.${row.status}`)}</Tag> },
  ];

  const error = activities.error ?? portfolio.error;
  const retry = () => {
    if (activities.error) void activities.refetch();
    if (portfolio.error) portfolio.reload();
  };
  return (
    <Flex vertical gap="middle">
      <Flex justify="space-between" align="center" wrap gap="small">
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        <Button type="primary" onClick={() => setActivityDrawer({ id: null })} data-testid="new-activity">
          {t('programme.newActivity')}
        </Button>
      </Flex>
      <Flex gap="small" wrap align="center">
        <Segmented<View>
          value={view}
          onChange={setView}
          options={(['month', 'week', 'list'] as const).map((v) => ({ value: v, label: t(`programme.views.${v}`) }))}
          data-testid="programme-view"
        />
        <Select
          allowClear
          aria-label={t('programme.filters.site')}
          placeholder={t('programme.filters.allSites')}
          style={{ minWidth: 180, flex: screens.md ? undefined : '1 1 100%' }}
          value={siteId}
          onChange={setSiteId}
          showSearch={{ optionFilterProp: 'label' }}
          options={(portfolio.data?.sites ?? []).map((s) => ({ value: s.id, label: s.name }))}
          data-testid="filter-site"
        />
        <Select
          allowClear
          aria-label={t('programme.filters.category')}
          placeholder={t('programme.filters.allCategories')}
          style={{ minWidth: 140 }}
          value={category}
          onChange={setCategory}
          options={(categories.data?.items ?? []).map((c) => ({ value: c.slug, label: i18n.language.startsWith('en') ? c.nameEn : c.nameZh }))}
          data-testid="filter-category"
        />
        <Select
          allowClear
          aria-label={t('programme.filters.status')}
          placeholder={t('programme.filters.allStatuses')}
          style={{ minWidth: 120 }}
          value={status}
          onChange={setStatus}
          options={STATUSES.map((s) => ({ value: s, label: t(`programme.statuses.${s}`) }))}
          data-testid="filter-status"
        />
      </Flex>
      <Flex gap="small" align="center" wrap>
        <Button aria-label={t('programme.previous')} onClick={() => step(-1)}>
          ‹
        </Button>
        <Button onClick={() => setAnchor(organizationZone ? dayjs(todayIn(organizationZone)) : dayjs().startOf('day'))} data-testid="programme-today">
          {t('programme.today')}
        </Button>
        <Button aria-label={t('programme.next')} onClick={() => step(1)}>
          ›
        </Button>
        <Typography.Text strong data-testid="programme-period">
          {periodLabel}
        </Typography.Text>
      </Flex>
      {error ? <Alert type="error" showIcon title={describeError(error)} action={<Button onClick={retry}>{t('errors.retry')}</Button>} /> : null}
      {!activities.data || !portfolio.data ? (
        error ? null : <Skeleton active />
      ) : view === 'month' ? (
        <Calendar
          value={anchor}
          onSelect={(date) => setAnchor(date)}
          headerRender={() => null}
          fullscreen={screens.md !== false}
          cellRender={(date, info) => {
            if (info.type !== 'date') return info.originNode;
            const day = byDate.get(date.format(ISO)) ?? [];
            if (!screens.md) return day.length ? <Tag color="blue">{day.length}</Tag> : null;
            return (
              <div>
                {day.slice(0, day.length > 3 ? 2 : 3).map((row) => sessionButton(row, true))}
                {day.length > 3 ? (
                  <Typography.Link
                    style={{ fontSize: 12 }}
                    onClick={(e) => {
                      e.stopPropagation();
                      setAnchor(date);
                      setView('week');
                    }}
                  >
                    {t('programme.more', { count: day.length - 2 })}
                  </Typography.Link>
                ) : null}
              </div>
            );
          }}
        />
      ) : view === 'week' ? (
        <div style={{ display: 'grid', gridTemplateColumns: screens.lg ? 'repeat(7, minmax(0, 1fr))' : '1fr', gap: 8 }} data-testid="programme-week">
          {Array.from({ length: 7 }, (_, i) => addDaysToLocalDate(from, i)).map((date) => (
            <Card key={date} size="small" title={formatLocalDate(date, i18n.language)} styles={{ body: { padding: 8, minHeight: screens.lg ? 160 : undefined } }}>
              {(byDate.get(date) ?? []).map((row) => sessionButton(row))}
            </Card>
          ))}
        </div>
      ) : rows.length === 0 ? (
        <Empty description={t('programme.noSessions')} />
      ) : (
        <Table<SessionRow>
          rowKey={(row) => row.session.id}
          size="small"
          columns={screens.md === false ? phoneColumns : columns}
          dataSource={rows}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="programme-table"
        />
      )}
      <ActivityDrawer
        state={activityDrawer}
        categories={categories.data?.items ?? []}
        portfolio={portfolio.data}
        user={user}
        onClose={() => setActivityDrawer(null)}
        onOpenSession={(row) => setOpenRow(row)}
      />
      <SessionDrawer
        row={openRow}
        onClose={() => setOpenRow(null)}
        onOpenActivity={(id) => {
          setOpenRow(null);
          setActivityDrawer({ id });
        }}
      />
    </Flex>
  );
}
