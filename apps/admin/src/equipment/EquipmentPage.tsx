import type { Holding } from '@linli/contracts';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Collapse, Empty, Flex, Input, Segmented, Select, Skeleton, Table, Tabs, Tag, Typography } from 'antd';
import { lazy, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.tsx';
import { followLink, usePath } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { type LoanFilter, type LoanSide, equipmentQueries } from './equipment.api.ts';
import { Condition, Whereabouts } from './HoldingTags.tsx';
import { LoanCard } from './LoanCard.tsx';
import { type LoanRequestDraft, LoanRequestModal } from './LoanRequestModal.tsx';
import { BOARD_STATUSES, CLOSED_STATUSES, borrowerSitesOf, describeEquipmentError, itemPath, typeNameOf, usePortfolioQuery } from './model.ts';

// The item page carries the QR code library; only a visit (or a scanned label) loads it.
const ItemPage = lazy(() => import('./ItemPage.tsx'));

const ITEM_PATH = /^\/equipment\/items\/([0-9a-f-]{36})$/i;
/** Where a loan's messages link to. */
const LOAN_PATH = /^\/equipment\/loans\/([0-9a-f-]{36})$/i;

/** The equipment pool: what each site holds, the loans board, and (below /equipment/items/) one item's page. */
export default function EquipmentPage({ title }: PageProps) {
  const { t } = useTranslation();
  const path = usePath();
  const [tab, setTab] = useState('inventory');
  const [requesting, setRequesting] = useState<LoanRequestDraft | null>(null);
  const itemId = ITEM_PATH.exec(path)?.[1];
  if (itemId) return <ItemPage key={itemId} holdingId={itemId} />;
  const loanId = LOAN_PATH.exec(path)?.[1];
  if (loanId) return <LoanView key={loanId} loanId={loanId} backLabel={title} />;
  if (path !== '/equipment') {
    return (
      <Empty description={t('page.notFound')} style={{ marginTop: 48 }}>
        <Button type="primary" href="/equipment" onClick={(event) => followLink(event, '/equipment')}>
          {title}
        </Button>
      </Empty>
    );
  }

  return (
    <Flex vertical gap="middle">
      <Flex align="center" justify="space-between" gap="middle" wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        <Button type="primary" data-testid="request-equipment" onClick={() => setRequesting({})}>
          {t('equipment.request.open')}
        </Button>
      </Flex>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'inventory', label: t('equipment.tabs.inventory'), children: <InventoryTab /> },
          { key: 'loans', label: t('equipment.tabs.loans'), children: <LoansBoard /> },
        ]}
      />
      <LoanRequestModal
        open={requesting !== null}
        draft={requesting ?? {}}
        onClose={() => setRequesting(null)}
        onRequested={() => setTab('loans')}
      />
    </Flex>
  );
}

/** One loan on its own, with its next steps: what a loan's message opens. */
function LoanView({ loanId, backLabel }: { loanId: string; backLabel: string }) {
  const detail = useQuery(equipmentQueries.loan(loanId));
  return (
    <Flex vertical gap="middle" style={{ maxWidth: 560 }}>
      <a href="/equipment" onClick={(event) => followLink(event, '/equipment')}>
        ← {backLabel}
      </a>
      {detail.error ? <Alert type="error" showIcon title={describeEquipmentError(detail.error)} /> : null}
      {detail.data ? <LoanCard loan={detail.data.loan} /> : detail.error ? null : <Skeleton active paragraph={{ rows: 3 }} />}
    </Flex>
  );
}

/** Filters shared by the inventory's two tables. */
function useSiteAndTypeOptions() {
  const { i18n } = useTranslation();
  const portfolio = usePortfolioQuery();
  const types = useQuery(equipmentQueries.types());
  return {
    siteOptions: (portfolio.data?.sites ?? []).filter((site) => !site.archivedAt).map((site) => ({ value: site.id, label: site.name })),
    typeOptions: (types.data?.items ?? []).map((type) => ({ value: type.id, label: typeNameOf(type, i18n.language) })),
  };
}

function InventoryTab() {
  const { t, i18n } = useTranslation();
  const [siteId, setSiteId] = useState<string | undefined>();
  const [typeId, setTypeId] = useState<string | undefined>();
  const [search, setSearch] = useState('');
  const { siteOptions, typeOptions } = useSiteAndTypeOptions();
  const pool = useQuery(equipmentQueries.pool({ siteId, typeId }));
  const items = useInfiniteQuery(equipmentQueries.holdings({ siteId, typeId, tracked: true, q: search.trim() || undefined }));
  type PoolRow = NonNullable<typeof pool.data>['rows'][number];
  const count = (value: number, warn = false) => (warn && value > 0 ? <Typography.Text type="danger">{value}</Typography.Text> : value);

  return (
    <Flex vertical gap="middle">
      <Flex gap="small" wrap>
        <Select
          aria-label={t('equipment.filters.site')}
          placeholder={t('equipment.filters.allSites')}
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          options={siteOptions}
          value={siteId}
          onChange={setSiteId}
          style={{ minWidth: 220 }}
        />
        <Select
          aria-label={t('equipment.filters.type')}
          placeholder={t('equipment.filters.allTypes')}
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          options={typeOptions}
          value={typeId}
          onChange={setTypeId}
          style={{ minWidth: 180 }}
        />
      </Flex>
      {pool.error ? <Alert type="error" showIcon title={describeEquipmentError(pool.error)} /> : null}
      {/* On a phone the eight columns are wider than the screen. The table scrolls inside this region rather than
          its own scroller, which has no focusable cell: a keyboard user can focus the region and scroll it. */}
      <div role="region" aria-label={t('equipment.tabs.inventory')} tabIndex={0} style={{ overflowX: 'auto' }}>
        <Table<PoolRow>
          size="small"
          rowKey={(row) => `${row.siteId}:${row.typeId}`}
          loading={pool.isPending}
          dataSource={pool.data?.rows ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="pool-table"
          locale={{ emptyText: t('equipment.inventory.empty') }}
          columns={[
            {
              key: 'site',
              title: t('equipment.inventory.site'),
              render: (_, row) => (
                <Flex vertical>
                  <Typography.Text>{row.siteName}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {row.district}
                  </Typography.Text>
                </Flex>
              ),
            },
            { key: 'type', title: t('equipment.inventory.type'), render: (_, row) => typeNameOf(row, i18n.language) },
            { key: 'inService', title: t('equipment.inventory.inService'), dataIndex: 'inService', align: 'end' },
            { key: 'lendable', title: t('equipment.inventory.lendable'), dataIndex: 'lendable', align: 'end' },
            { key: 'damaged', title: t('equipment.inventory.damaged'), align: 'end', render: (_, row) => count(row.damaged, true) },
            { key: 'missing', title: t('equipment.inventory.missing'), align: 'end', render: (_, row) => count(row.missing, true) },
            { key: 'lentOutNow', title: t('equipment.inventory.lentOutNow'), dataIndex: 'lentOutNow', align: 'end' },
            { key: 'borrowedInNow', title: t('equipment.inventory.borrowedInNow'), dataIndex: 'borrowedInNow', align: 'end' },
          ]}
        />
      </div>

      <Flex align="center" justify="space-between" gap="small" wrap>
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {t('equipment.inventory.trackedItems')}
        </Typography.Title>
        <Input.Search
          aria-label={t('equipment.inventory.searchTag')}
          placeholder={t('equipment.inventory.searchTag')}
          allowClear
          maxLength={64}
          onSearch={setSearch}
          style={{ maxWidth: 260 }}
        />
      </Flex>
      {items.error ? <Alert type="error" showIcon title={describeEquipmentError(items.error)} /> : null}
      <Table<Holding>
        size="small"
        rowKey="id"
        loading={items.isPending}
        dataSource={items.data?.pages.flatMap((page) => page.items) ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="tracked-items"
        locale={{ emptyText: t('equipment.inventory.noItems') }}
        columns={[
          {
            key: 'tag',
            title: t('equipment.item.assetTag'),
            render: (_, item) => (
              <a href={itemPath(item.id)} onClick={(event) => followLink(event, itemPath(item.id))}>
                {item.assetTag}
              </a>
            ),
          },
          { key: 'type', title: t('equipment.inventory.type'), render: (_, item) => typeNameOf(item, i18n.language) },
          { key: 'owner', title: t('equipment.item.owner'), dataIndex: 'siteName' },
          { key: 'where', title: t('equipment.item.whereabouts'), render: (_, item) => <Whereabouts holding={item} /> },
          { key: 'condition', title: t('equipment.item.condition'), render: (_, item) => <Condition holding={item} /> },
        ]}
      />
      {items.hasNextPage ? (
        <Button onClick={() => void items.fetchNextPage()} loading={items.isFetchingNextPage} style={{ alignSelf: 'center' }}>
          {t('equipment.loadMore')}
        </Button>
      ) : null}
    </Flex>
  );
}

function LoansBoard() {
  const { t } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = usePortfolioQuery();
  const [side, setSide] = useState<LoanSide>('lending');
  const [siteId, setSiteId] = useState<string | undefined>();
  const [overdue, setOverdue] = useState(false);
  const filter: LoanFilter = { side, siteId, ...(overdue ? { overdue: true } : {}) };
  const sites = borrowerSitesOf(user, portfolio.data);

  return (
    <Flex vertical gap="middle">
      <Flex gap="small" wrap align="center">
        <Segmented<LoanSide>
          data-testid="loan-side"
          value={side}
          onChange={setSide}
          options={[
            { value: 'lending', label: t('equipment.board.lending') },
            { value: 'borrowing', label: t('equipment.board.borrowing') },
          ]}
        />
        {sites.length > 1 ? (
          <Select
            aria-label={t('equipment.filters.site')}
            placeholder={t('equipment.filters.allMySites')}
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            options={sites.map((site) => ({ value: site.id, label: site.name }))}
            value={siteId}
            onChange={setSiteId}
            style={{ minWidth: 220 }}
          />
        ) : null}
        <Checkbox checked={overdue} onChange={(event) => setOverdue(event.target.checked)}>
          {t('equipment.board.overdueOnly')}
        </Checkbox>
      </Flex>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', gap: 12, alignItems: 'start' }}>
        {BOARD_STATUSES.map((status) => (
          <LoanColumn key={status} filter={{ ...filter, status }} />
        ))}
      </div>
      <Collapse
        data-testid="loans-closed"
        items={[
          {
            key: 'closed',
            label: t('equipment.board.closed'),
            children: (
              <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', gap: 12, alignItems: 'start' }}>
                {CLOSED_STATUSES.map((status) => (
                  <LoanColumn key={status} filter={{ ...filter, status }} />
                ))}
              </div>
            ),
          },
        ]}
      />
    </Flex>
  );
}

/** One status's loans, oldest request first as the API pages them, with more on demand. */
function LoanColumn({ filter }: { filter: LoanFilter & { status: NonNullable<LoanFilter['status']> } }) {
  const { t } = useTranslation();
  const loans = useInfiniteQuery(equipmentQueries.loans(filter));
  const rows = loans.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-label={t(`equipment.statuses.${filter.status}`)} data-testid={`loan-column-${filter.status}`}>
      <Flex align="center" gap="small" style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t(`equipment.statuses.${filter.status}`)}</Typography.Text>
        <Tag style={{ marginInlineEnd: 0 }}>{loans.hasNextPage ? `${rows.length}+` : rows.length}</Tag>
      </Flex>
      {loans.error ? <Alert type="error" showIcon title={describeEquipmentError(loans.error)} /> : null}
      {loans.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : (
        <Flex vertical gap="small">
          {rows.length === 0 ? <Typography.Text type="secondary">{t('equipment.board.none')}</Typography.Text> : null}
          {rows.map((loan) => (
            <LoanCard key={loan.id} loan={loan} />
          ))}
          {loans.hasNextPage ? (
            <Button size="small" onClick={() => void loans.fetchNextPage()} loading={loans.isFetchingNextPage}>
              {t('equipment.loadMore')}
            </Button>
          ) : null}
        </Flex>
      )}
    </section>
  );
}
