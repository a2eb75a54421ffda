import type { Holding } from '@linli/contracts';
import { Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Where a tracked item is now: at home, or at another site with a loan (and at which step). */
export function Whereabouts({ holding }: { holding: Holding }) {
  const { t } = useTranslation();
  if (holding.whereabouts?.kind === 'out') {
    return (
      <Typography.Text>
        {t('equipment.item.outAt', { site: holding.whereabouts.siteName })} · {t(`equipment.statuses.${holding.whereabouts.status}`)}
      </Typography.Text>
    );
  }
  return <Typography.Text>{t('equipment.item.home', { site: holding.siteName })}</Typography.Text>;
}

export function Condition({ holding }: { holding: Holding }) {
  const { t } = useTranslation();
  if (holding.damaged > 0) return <Tag color="orange">{t('equipment.item.damaged')}</Tag>;
  if (holding.missing > 0) return <Tag color="red">{t('equipment.item.missing')}</Tag>;
  if (!holding.lendable) return <Tag>{t('equipment.item.notLendable')}</Tag>;
  return <Tag color="green">{t('equipment.item.inService')}</Tag>;
}
