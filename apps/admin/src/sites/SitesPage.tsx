import type { Site } from '@linli/contracts';
import { Alert, Button, Empty, Flex, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useQuery } from '@tanstack/react-query';
import type { PageProps } from '../shell/page-props.ts';
import { type HoursWording, summarizeOpeningHours } from './openingHours.ts';
import { siteKindLabel } from './siteKinds.ts';
import { siteQueries } from './sites.api.ts';


export default function SitesPage({ title }: PageProps) {
  const { t, i18n: { language } } = useTranslation();
  const sites = useQuery(siteQueries.list());
  const { data, error } = sites;
  const loading = sites.isPending;
  const reload = () => void sites.refetch();

  const columns = useMemo((): TableColumnsType<Site> => {
    const wording: HoursWording = {
      dayName: (day) => t(`hours.days.${day}`),
      dayRange: (from, to) => t('hours.dayRange', { from, to }),
      daily: t('hours.daily'),
      closed: t('hours.closed'),
      groupSeparator: t('hours.groupSeparator'),
      intervalSeparator: t('hours.intervalSeparator'),
    };
    const byText = (pick: (site: Site) => string | null) => (a: Site, b: Site) =>
      (pick(a) ?? '').localeCompare(pick(b) ?? '', language);
    return [
      { title: t('sites.name'), dataIndex: 'name', sorter: byText((site) => site.name), fixed: 'start' },
      {
        title: t('sites.kind'),
        dataIndex: 'kind',
        render: (kind: string) => <Tag>{siteKindLabel(kind)}</Tag>,
        sorter: byText((site) => siteKindLabel(site.kind)),
      },
      { title: t('sites.district'), dataIndex: 'district', sorter: byText((site) => site.district) },
      {
        title: t('sites.subdistrict'),
        dataIndex: 'subdistrict',
        render: (subdistrict: string | null) => subdistrict ?? '—',
        responsive: ['md'],
      },
      {
        title: t('sites.openingHours'),
        key: 'openingHours',
        render: (_, site) => summarizeOpeningHours(site.openingHours, wording),
      },
    ];
  }, [t, language]);

  return (
    <Flex vertical gap="middle">
      <Flex align="baseline" gap="middle" wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        {data ? <Typography.Text type="secondary">{t('sites.count', { count: data.items.length })}</Typography.Text> : null}
      </Flex>
      {error ? (
        <Alert
          type="error"
          showIcon
          title={t('sites.loadFailed')}
          description={describeError(error)}
          action={<Button onClick={reload}>{t('errors.retry')}</Button>}
        />
      ) : null}
      {data?.nextCursor ? <Alert type="info" showIcon title={t('sites.truncated', { count: data.items.length })} /> : null}
      {error && !data ? null : (
        <Table<Site>
          rowKey="id"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          size="middle"
          scroll={{ x: 'max-content' }}
          // Until the first answer there is nothing to call empty; the spinner says enough.
          locale={{ emptyText: data ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sites.empty')} /> : ' ' }}
          pagination={{ defaultPageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        />
      )}
    </Flex>
  );
}
