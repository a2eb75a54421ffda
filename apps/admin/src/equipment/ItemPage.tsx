import type { AdjustHoldingBody, Holding, HoldingHistory } from '@linli/contracts';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Empty, Flex, Form, Image, Input, InputNumber, Select, Skeleton, Timeline, Typography } from 'antd';
import { toDataURL } from 'qrcode';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.tsx';
import { followLink } from '../routing.ts';
import { adjustHolding, equipmentQueries, invalidateEquipment } from './equipment.api.ts';
import './equipment.css';
import { Condition, Whereabouts } from './HoldingTags.tsx';
import { LoanActions } from './LoanActions.tsx';
import { LoanCard } from './LoanCard.tsx';
import { describeEquipmentError, describeLoanReason, itemPath, typeNameOf, usePortfolioQuery, zoneOfSite } from './model.ts';

/** Every change outside loans, in the order a form offers them (typed against the contract, so none is missed). */
const ADJUSTMENTS: Record<AdjustHoldingBody['kind'], true> = { damaged: true, missing: true, repaired: true, found: true, retired: true, adjusted: true };

/**
 * One holding: a tracked item (what its QR label opens) or a site's counted stock. Its facts, where it is, the
 * caller's next step when it is out on a loan, its history, and the printable label.
 */
export default function ItemPage({ holdingId }: { holdingId: string }) {
  const { t, i18n } = useTranslation();
  const history = useQuery(equipmentQueries.history(holdingId));
  const back = (
    <a href="/equipment" onClick={(event) => followLink(event, '/equipment')}>
      ← {t('nav.equipment')}
    </a>
  );
  if (history.error) {
    return (
      <Flex vertical gap="middle">
        {back}
        <Alert type="error" showIcon title={describeEquipmentError(history.error)} />
      </Flex>
    );
  }
  if (!history.data) return <Skeleton active />;
  const { holding, entries } = history.data;
  const name = typeNameOf(holding, i18n.language);

  return (
    <Flex vertical gap="middle" data-testid="item-page">
      {back}
      <Flex align="center" gap="small" wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {holding.assetTag ? `${name} · ${holding.assetTag}` : t('equipment.item.stockOf', { type: name, site: holding.siteName })}
        </Typography.Title>
        <Condition holding={holding} />
      </Flex>
      <Flex gap="middle" wrap align="start">
        <Flex vertical gap="middle" style={{ flex: '2 1 420px', minWidth: 0 }}>
          <HoldingFacts holding={holding} />
          <NextStep holding={holding} />
          <AdjustCard holding={holding} />
          <Card size="small" title={t('equipment.item.history')}>
            <HistoryTimeline holding={holding} entries={entries} />
          </Card>
        </Flex>
        <Flex vertical gap="middle" style={{ flex: '1 1 260px' }}>
          {holding.photoUrl ? <Image src={holding.photoUrl} alt={name} width="100%" style={{ maxWidth: 320, borderRadius: 8 }} /> : null}
          {holding.assetTag ? <ItemLabel holding={holding} assetTag={holding.assetTag} /> : null}
        </Flex>
      </Flex>
    </Flex>
  );
}

function HoldingFacts({ holding }: { holding: Holding }) {
  const { t, i18n } = useTranslation();
  const tracked = holding.assetTag !== null;
  return (
    <Descriptions column={1} size="small" bordered data-testid="item-facts">
      <Descriptions.Item label={t('equipment.inventory.type')}>{typeNameOf(holding, i18n.language)}</Descriptions.Item>
      <Descriptions.Item label={t('equipment.item.owner')}>{holding.siteName}</Descriptions.Item>
      {tracked ? <Descriptions.Item label={t('equipment.item.assetTag')}>{holding.assetTag}</Descriptions.Item> : null}
      {holding.serialNumber ? <Descriptions.Item label={t('equipment.item.serial')}>{holding.serialNumber}</Descriptions.Item> : null}
      <Descriptions.Item label={t('equipment.item.whereabouts')}>
        {tracked ? <Whereabouts holding={holding} /> : t('equipment.item.outNow', { count: holding.outNow })}
      </Descriptions.Item>
      {tracked ? null : (
        <Descriptions.Item label={t('equipment.item.units')}>
          {t('equipment.item.unitsSummary', { inService: holding.inService, damaged: holding.damaged, missing: holding.missing })}
        </Descriptions.Item>
      )}
      <Descriptions.Item label={t('equipment.item.lendable')}>{holding.lendable ? t('common.yes') : t('common.no')}</Descriptions.Item>
      {holding.conditionNote ? <Descriptions.Item label={t('equipment.item.conditionNote')}>{holding.conditionNote}</Descriptions.Item> : null}
      {holding.notes ? <Descriptions.Item label={t('equipment.item.notes')}>{holding.notes}</Descriptions.Item> : null}
    </Descriptions>
  );
}

/**
 * What scanning the label is for: out on a loan, the loan and the caller's next step (receive, return, check);
 * at home and in service, the approved loans of its type waiting to be dispatched from its site, with it picked.
 */
function NextStep({ holding }: { holding: Holding }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const out = holding.whereabouts?.kind === 'out' ? holding.whereabouts : null;
  const lendsFromHere = user?.role === 'org_admin' || Boolean(user?.siteIds.includes(holding.siteId));
  const canGo = holding.assetTag !== null && !out && holding.inService > 0 && lendsFromHere;
  const loan = useQuery({ ...equipmentQueries.loan(out?.loanId ?? ''), enabled: out !== null });
  const waiting = useInfiniteQuery({
    ...equipmentQueries.loans({ side: 'lending', siteId: holding.siteId, typeId: holding.typeId, status: 'approved' }),
    enabled: canGo,
  });
  if (out) {
    return (
      <Flex vertical gap="small" data-testid="item-loan">
        <Typography.Text strong>{t('equipment.item.onLoan')}</Typography.Text>
        {loan.error ? <Alert type="error" showIcon title={describeEquipmentError(loan.error)} /> : null}
        {loan.data ? <LoanCard loan={loan.data.loan} /> : loan.error ? null : <Skeleton active paragraph={{ rows: 2 }} />}
      </Flex>
    );
  }
  const approved = waiting.data?.pages.flatMap((page) => page.items) ?? [];
  if (!canGo || approved.length === 0) return null;
  return (
    <Card size="small" title={t('equipment.item.waitingToGo')} data-testid="item-waiting">
      <Flex vertical gap="small">
        {approved.map((approvedLoan) => (
          <Flex key={approvedLoan.id} align="center" justify="space-between" gap="small" wrap>
            <Typography.Text>
              {approvedLoan.borrowerSiteName} × {approvedLoan.quantity}
            </Typography.Text>
            <LoanActions loan={approvedLoan} only={['dispatch']} preselectItemId={holding.id} />
          </Flex>
        ))}
      </Flex>
    </Card>
  );
}

interface AdjustValues {
  kind: AdjustHoldingBody['kind'];
  units: number;
  note?: string;
}

/** Staff of the owning site record what happened outside loans: a unit broke, went missing, was repaired or found. */
function AdjustCard({ holding }: { holding: Holding }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const [form] = Form.useForm<AdjustValues>();
  const adjust = useMutation({
    mutationFn: (values: AdjustValues) => adjustHolding(holding.id, { kind: values.kind, units: values.units, ...(values.note?.trim() ? { note: values.note.trim() } : {}) }),
    onSuccess: async () => {
      void message.success(t('equipment.adjust.done'));
      form.resetFields();
      await invalidateEquipment();
    },
  });
  if (!user || !(user.role === 'org_admin' || user.siteIds.includes(holding.siteId))) return null;
  const tracked = holding.assetTag !== null;
  const kinds = (Object.keys(ADJUSTMENTS) as AdjustHoldingBody['kind'][]).filter((kind) => !(tracked && kind === 'adjusted'));
  return (
    <Card size="small" title={t('equipment.adjust.title')}>
      <Form<AdjustValues> form={form} layout="inline" initialValues={{ units: 1 }} onFinish={(values) => adjust.mutate(values)} style={{ rowGap: 8 }}>
        <Form.Item name="kind" rules={[{ required: true, message: t('equipment.adjust.kindRequired') }]}>
          <Select
            aria-label={t('equipment.adjust.kind')}
            placeholder={t('equipment.adjust.kind')}
            style={{ minWidth: 180 }}
            options={kinds.map((kind) => ({ value: kind, label: t(`equipment.adjust.kinds.${kind}`) }))}
          />
        </Form.Item>
        {tracked ? null : (
          <Form.Item name="units" rules={[{ required: true }]}>
            <InputNumber aria-label={t('equipment.adjust.units')} min={1} precision={0} style={{ width: 100 }} />
          </Form.Item>
        )}
        <Form.Item name="note" style={{ flex: '1 1 160px' }}>
          <Input aria-label={t('equipment.adjust.note')} placeholder={t('equipment.adjust.note')} maxLength={500} />
        </Form.Item>
        <Button htmlType="submit" loading={adjust.isPending}>
          {t('equipment.adjust.record')}
        </Button>
      </Form>
      {adjust.error ? <Alert type="error" showIcon title={describeEquipmentError(adjust.error)} style={{ marginTop: 8 }} /> : null}
    </Card>
  );
}

function HistoryTimeline({ holding, entries }: { holding: Holding; entries: HoldingHistory['entries'] }) {
  const { t, i18n } = useTranslation();
  const portfolio = usePortfolioQuery();
  const zone = zoneOfSite(portfolio.data, holding.siteId);
  if (entries.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('equipment.item.noHistory')} />;
  return (
    <Timeline
      data-testid="item-history"
      items={entries.map((entry, index) => ({
        key: `${entry.at}-${index}`,
        color: entry.kind === 'holding' && (entry.change === 'damaged' || entry.change === 'missing') ? 'red' : undefined,
        content: (
          <Flex vertical>
            <Typography.Text>
              {entry.kind === 'holding'
                ? t(`equipment.history.changes.${entry.change}`, { count: entry.units })
                : `${entry.from ? `${t(`equipment.statuses.${entry.from}`)} → ` : ''}${t(`equipment.statuses.${entry.to}`)} · ${t('equipment.history.loanTo', { site: entry.borrowerSiteName })}`}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {new Date(entry.at).toLocaleString(i18n.language, { timeZone: zone, hourCycle: 'h23' })}
              {entry.actorName ? ` · ${entry.actorName}` : ''}
            </Typography.Text>
            {entry.kind === 'holding' && entry.note ? <Typography.Text type="secondary">{entry.note}</Typography.Text> : null}
            {entry.kind === 'loan' && entry.reason ? <Typography.Text type="secondary">{describeLoanReason(entry.reason)}</Typography.Text> : null}
          </Flex>
        ),
      }))}
    />
  );
}

/**
 * The sticker for a tracked item: its type, asset tag, owner and a QR code of this page's address. A copy sits
 * directly in <body>, so that printing shows the label alone (equipment.css) and not the page around it.
 */
function ItemLabel({ holding, assetTag }: { holding: Holding; assetTag: string }) {
  const { t } = useTranslation();
  const url = new URL(itemPath(holding.id), window.location.origin).href;
  const qr = useQuery({
    queryKey: ['qr', url],
    queryFn: () => toDataURL(url, { margin: 1, width: 240, errorCorrectionLevel: 'M' }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return (
    <Card
      size="small"
      title={t('equipment.label.title')}
      extra={
        <Button type="primary" size="small" onClick={() => window.print()} disabled={!qr.data} data-testid="print-label">
          {t('equipment.label.print')}
        </Button>
      }
    >
      {qr.error ? (
        <Alert type="error" showIcon title={describeEquipmentError(qr.error)} />
      ) : qr.data ? (
        <>
          <LabelSticker holding={holding} assetTag={assetTag} qr={qr.data} testId="item-label" />
          {createPortal(
            <div className="equipment-print-sheet">
              <LabelSticker holding={holding} assetTag={assetTag} qr={qr.data} />
            </div>,
            document.body,
          )}
        </>
      ) : (
        <Skeleton.Image active />
      )}
    </Card>
  );
}

function LabelSticker({ holding, assetTag, qr, testId }: { holding: Holding; assetTag: string; qr: string; testId?: string }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="equipment-label" data-testid={testId}>
      <img src={qr} alt={t('equipment.label.qrAlt', { tag: assetTag })} className="equipment-label__qr" />
      <div className="equipment-label__text">
        <strong>{typeNameOf(holding, i18n.language)}</strong>
        <span className="equipment-label__tag">{assetTag}</span>
        <span>{holding.siteName}</span>
        <span className="equipment-label__hint">{t('equipment.label.scan')}</span>
      </div>
    </div>
  );
}
