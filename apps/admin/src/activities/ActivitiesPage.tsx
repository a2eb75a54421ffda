import { Flex, Segmented, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../api/useResource.ts';
import { useSearchParam } from '../routing.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { todayIn } from '../time/zoned.ts';
import { getProgramme, listActivityCategories, listMyRegistrations } from './activities.api.ts';
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
  const mine = useResource((signal) => listMyRegistrations(signal), []);
  const categories = useResource((signal) => listActivityCategories(signal), []);
  // What "My activities" needs to name a session (room, English title): the programme from today on.
  const upcoming = useResource((signal) => (user ? getProgramme({ orgId: user.orgId, from: todayIn('Asia/Shanghai') }, signal) : Promise.resolve(null)), [user?.orgId]);

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
          mine={mine.data}
          onRegistered={() => {
            mine.reload();
            upcoming.reload();
            setTab('mine');
          }}
        />
      ) : (
        <MyActivities mine={mine} categories={categories.data?.items ?? []} programme={upcoming.data?.items ?? []} />
      )}
    </Flex>
  );
}
