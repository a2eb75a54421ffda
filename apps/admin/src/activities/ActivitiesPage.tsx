import { useQuery } from '@tanstack/react-query';
import { Flex, Segmented, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParam } from '../routing.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { usePortfolio, zoneOf } from '../spaces/portfolio.ts';
import { todayIn } from '../time/zoned.ts';
import { activityQueries } from './activities.api.ts';
import { MyActivities } from './MyActivities.tsx';
import { ProgrammeList } from './ProgrammeList.tsx';

type Tab = 'browse' | 'mine';

/** Residents: the activities near them and elsewhere, registering, and their own registrations. */
export default function ActivitiesPage({ title }: PageProps) {
  const { t } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  // A message's link (/activities?registration=<id>) is about one of the resident's own registrations.
  const linkedRegistration = useSearchParam('registration');
  const [tab, setTab] = useState<Tab>(linkedRegistration ? 'mine' : 'browse');
  const portfolio = usePortfolio();
  // The resident's "today" is their home site's (else their organization's): the zone their activities run in.
  const zone = zoneOf(portfolio.data, user?.homeSiteId);
  const mine = useQuery({ ...activityQueries.mine(user?.id ?? ''), enabled: user !== null });
  const categories = useQuery(activityQueries.categories());
  // What "My activities" needs to name a session (room, English title): the programme from today on.
  const from = zone ? todayIn(zone) : '';
  const upcoming = useQuery({ ...activityQueries.programme({ orgId: user?.orgId ?? '', from }), enabled: user !== null && zone !== undefined });

  return (
    <Flex vertical gap="middle" style={{ maxWidth: 720, margin: '0 auto', width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <Segmented<Tab>
        block
        value={tab}
        onChange={setTab}
        options={[
          { value: 'browse', label: t('activities.browse') },
          { value: 'mine', label: t('activities.mine') },
        ]}
      />
      {tab === 'browse' ? (
        <ProgrammeList
          user={user}
          categories={categories.data?.items ?? []}
          zone={zone}
          mine={mine.data}
          onRegistered={() => setTab('mine')}
        />
      ) : (
        <MyActivities mine={mine} categories={categories.data?.items ?? []} programme={upcoming.data?.items ?? []} />
      )}
    </Flex>
  );
}
