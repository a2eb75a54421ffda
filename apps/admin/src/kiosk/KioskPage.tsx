import type { Booking, Site } from '@linli/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Flex, Form, List, Select, Skeleton, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import { BookingStatusTag } from '../bookings/BookingStatusTag.tsx';
import { bookingKeys, getKioskToken, listAllBookings } from '../bookings/bookings.api.ts';
import { mySitesOf } from '../bookings/frontDesk.ts';
import { QrCode } from '../bookings/QrCode.tsx';
import { useNow } from '../bookings/useNow.ts';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { followLink, navigate, usePath } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { type Portfolio, portfolioQuery } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, formatLocalDate, formatTime, instantAt, todayIn } from '../time/zoned.ts';

/** The kiosk's list of what is next refreshes this often (a booking made at the desk shows within a minute). */
const UPCOMING_REFRESH_MS = 60_000;
/** Statuses worth showing at the door: coming, or in the room now. */
const UPCOMING: readonly Booking['status'][] = ['confirmed', 'checked_in', 'pending'];
const PATH = '/kiosk';

/**
 * The screen at a site's door (`/kiosk/<siteId>`, shown without the app's header and menu): the site's name, the
 * time, a big QR code residents scan with their phone to check in, refreshed before it expires, and the day's
 * next bookings without anyone's name. `/kiosk` alone lets staff pick one of their sites.
 */
export default function KioskPage({ title }: PageProps) {
  const path = usePath();
  const siteId = path.startsWith(`${PATH}/`) ? decodeURIComponent(path.slice(PATH.length + 1)) : null;
  const portfolio = useQuery(portfolioQuery);
  const site = siteId ? portfolio.data?.siteById.get(siteId) : undefined;
  if (!siteId) return <SitePicker title={title} portfolio={portfolio.data} loading={portfolio.isPending} />;
  return <KioskScreen siteId={siteId} site={site} portfolio={portfolio.data} />;
}

function SitePicker({ title, portfolio, loading }: { title: string; portfolio: Portfolio | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const sites = useMemo(() => mySitesOf(user, portfolio), [user, portfolio]);
  return (
    <Flex justify="center" style={{ padding: 24 }}>
      <Card style={{ width: '100%', maxWidth: 520 }}>
        <Flex vertical gap="middle">
          <Flex justify="space-between" align="center" gap="small">
            <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
              {title}
            </Typography.Title>
            <LanguageSwitch />
          </Flex>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t('frontDesk.kiosk.pickHint')}
          </Typography.Paragraph>
          {loading ? (
            <Skeleton active />
          ) : sites.length ? (
            <Form<{ siteId: string }> layout="vertical" initialValues={{ siteId: sites[0]?.id }} onFinish={({ siteId }) => navigate(`${PATH}/${siteId}`)} requiredMark={false}>
              <Form.Item name="siteId" label={t('frontDesk.kiosk.pickSite')} rules={[{ required: true }]}>
                <Select showSearch={{ optionFilterProp: 'label' }} options={sites.map((site) => ({ value: site.id, label: site.name }))} data-testid="kiosk-site" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block data-testid="kiosk-open">
                {t('frontDesk.kiosk.open')}
              </Button>
            </Form>
          ) : (
            <Empty description={t('frontDesk.today.noSites')} />
          )}
        </Flex>
      </Card>
    </Flex>
  );
}

function KioskScreen({ siteId, site, portfolio }: { siteId: string; site: Site | undefined; portfolio: Portfolio | undefined }) {
  const { t, i18n } = useTranslation();
  const now = useNow(1000);
  const kiosk = useQuery({
    queryKey: bookingKeys.kiosk(siteId),
    queryFn: ({ signal }) => getKioskToken(siteId, signal),
    // A new code every period, well before the one shown expires (it is accepted one period longer).
    refetchInterval: (query) => (query.state.data?.rotatesEverySeconds ?? 60) * 1000,
    refetchIntervalInBackground: true,
    staleTime: 0,
  });
  const zone = kiosk.data?.timezone ?? site?.timezone;
  const today = zone ? todayIn(zone) : null;
  const upcoming = useQuery({
    queryKey: [...bookingKeys.list({ siteId }), 'kiosk', today],
    queryFn: ({ signal }) =>
      listAllBookings({ siteId, from: new Date().toISOString(), to: instantAt(addDaysToLocalDate(today!, 1), '00:00', zone!), status: UPCOMING }, signal),
    enabled: today !== null && zone !== undefined,
    refetchInterval: UPCOMING_REFRESH_MS,
    refetchIntervalInBackground: true,
  });
  const siteName = kiosk.data?.siteName ?? site?.name ?? '';
  const next = (upcoming.data ?? []).filter((b) => Date.parse(b.endAt) > now).sort((a, b) => a.startAt.localeCompare(b.startAt)).slice(0, 8);

  return (
    <Flex vertical gap="large" style={{ minHeight: '100dvh', padding: 'clamp(16px, 4vw, 48px)', background: '#f5faf9' }} data-testid="kiosk-screen">
      <Flex justify="space-between" align="center" wrap gap="middle">
        <Typography.Title level={1} style={{ margin: 0, fontSize: 'clamp(24px, 4vw, 44px)' }}>
          {siteName}
        </Typography.Title>
        <Flex vertical align="end">
          <Typography.Text strong style={{ fontSize: 'clamp(28px, 5vw, 56px)', fontVariantNumeric: 'tabular-nums' }} data-testid="kiosk-clock">
            {zone ? formatTime(new Date(now).toISOString(), zone, i18n.language) : ''}
          </Typography.Text>
          <Typography.Text type="secondary">{today ? formatLocalDate(today, i18n.language) : ''}</Typography.Text>
        </Flex>
      </Flex>

      {kiosk.error ? (
        <Alert
          type="error"
          showIcon
          title={t('frontDesk.kiosk.loadFailed')}
          description={describeError(kiosk.error)}
          action={<Button onClick={() => void kiosk.refetch()}>{t('errors.retry')}</Button>}
        />
      ) : null}

      <Flex gap="large" wrap justify="center" align="start" style={{ flex: 1 }}>
        <Card style={{ textAlign: 'center' }}>
          <Flex vertical align="center" gap="middle">
            <Typography.Title level={2} style={{ margin: 0, fontSize: 'clamp(20px, 3vw, 32px)' }}>
              {t('frontDesk.kiosk.scanToCheckIn')}
            </Typography.Title>
            {kiosk.data ? (
              <QrCode value={kiosk.data.checkInUrl} size={320} alt={t('frontDesk.kiosk.qrAlt', { site: siteName })} />
            ) : (
              <Skeleton.Node active style={{ width: 320, height: 320 }} />
            )}
            {kiosk.data ? <Typography.Text type="secondary">{t('frontDesk.kiosk.refreshes', { seconds: kiosk.data.rotatesEverySeconds })}</Typography.Text> : null}
          </Flex>
        </Card>
        <Card title={<Typography.Title level={2} style={{ margin: 0, fontSize: 20 }}>{t('frontDesk.kiosk.nextBookings')}</Typography.Title>} style={{ minWidth: 300, flex: '1 1 320px', maxWidth: 560 }}>
          <List
            loading={upcoming.isPending}
            dataSource={next}
            locale={{ emptyText: t('frontDesk.kiosk.noMore') }}
            data-testid="kiosk-upcoming"
            renderItem={(booking) => (
              <List.Item extra={<BookingStatusTag status={booking.status} />}>
                <Flex gap="middle" align="baseline">
                  <Typography.Text strong style={{ fontSize: 18, fontVariantNumeric: 'tabular-nums' }}>
                    {zone ? `${formatTime(booking.startAt, zone, i18n.language)}–${formatTime(booking.endAt, zone, i18n.language)}` : ''}
                  </Typography.Text>
                  <Typography.Text style={{ fontSize: 18 }}>{portfolio?.spaceById.get(booking.spaceId)?.name ?? ''}</Typography.Text>
                </Flex>
              </List.Item>
            )}
          />
        </Card>
      </Flex>
      <Flex justify="space-between" align="center" gap="small" wrap>
        <Button href={PATH} onClick={(event) => followLink(event, PATH)}>
          {t('frontDesk.kiosk.back')}
        </Button>
        <LanguageSwitch />
      </Flex>
    </Flex>
  );
}
