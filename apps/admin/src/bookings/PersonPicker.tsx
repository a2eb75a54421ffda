import type { PersonMatch } from '@linli/contracts';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Flex, Select, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bookingQueries } from './bookings.api.ts';

/** Typing pauses this long before the server is asked: one request per word, not per key. */
const SEARCH_DELAY_MS = 300;

interface PersonPickerProps {
  id?: string;
  value?: string;
  onChange?: (personId: string | undefined, person: PersonMatch | undefined) => void;
}

/** A resident found by part of the name or phone digits, for staff booking on their behalf (a form control). */
export function PersonPicker({ id, value, onChange }: PersonPickerProps) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<PersonMatch | undefined>(undefined);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(typed.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const people = useQuery({ ...bookingQueries.people(query), placeholderData: keepPreviousData });
  const found = query ? (people.data ?? []) : [];
  // The chosen person stays an option after the search moves on, so the field keeps showing their name.
  const options = [...(chosen && !found.some((p) => p.id === chosen.id) ? [chosen] : []), ...found].map((person) => ({
    value: person.id,
    label: person.displayName,
    person,
  }));

  return (
    <Select
      id={id}
      value={value}
      allowClear
      placeholder={t('frontDesk.form.searchPerson')}
      showSearch={{ filterOption: false, onSearch: setTyped, searchValue: typed }}
      notFoundContent={people.isFetching ? <Spin size="small" /> : query ? t('frontDesk.form.noPerson') : t('frontDesk.form.typeToSearch')}
      options={options}
      optionRender={(option) => (
        <Flex vertical>
          <span>{option.data.person.displayName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[option.data.person.maskedPhone, option.data.person.homeSiteName].filter(Boolean).join(' · ') || '—'}
          </Typography.Text>
        </Flex>
      )}
      onChange={(personId: string | undefined) => {
        const person = options.find((option) => option.value === personId)?.person;
        setChosen(person);
        onChange?.(personId, person);
      }}
      data-testid="person-picker"
    />
  );
}
