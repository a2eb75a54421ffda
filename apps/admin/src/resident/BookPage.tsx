import type { Booking, SearchSpacesResponse, WaitlistEntry } from '@linli/contracts';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { lazy, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import { navigate } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { siteKindLabel } from '../sites/siteKinds.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { clockMinutes, clockText, formatTime, instantAt, localPartsOf, todayIn } from '../time/zoned.ts';
import { Button, Empty, LoadingOverlay, Notice, Segmented, Skeleton } from '../ui/light.tsx';
import { toast } from '../ui/toasts.tsx';
import { WithAntd } from '../ui/WithAntd.tsx';
import type { BookingRequest } from './BookingConfirmModal.tsx';
import type { WaitTarget } from './JoinWaitlistDialog.tsx';
import { type SearchAsked, invalidateWaitlist, joinWaitlist, residentQueries } from './resident.queries.ts';

// The two dialogs are antd and load when first opened: this page is a resident's first screen and is drawn with
// the light kit and the browser's own controls (docs/performance.md).
const BookingConfirmModal = lazy(() => import('./BookingConfirmModal.tsx').then((module) => ({ default: module.BookingConfirmModal })));
const JoinWaitlistDialog = lazy(() => import('./JoinWaitlistDialog.tsx'));

type SearchResult = SearchSpacesResponse['items'][number];
type Mode = 'search' | 'site';
const TIMES = Array.from({ length: 48 }, (_, i) => clockText(i * 30));
const DURATIONS = [30, 60, 90, 120, 180, 240];
const LATEST_START = 21 * 60;
const MAX_PARTY = 500;

/** A slot on the day's list: free to book, or taken (someone holds it) and open to wait for. */
type DaySlot = { startAt: string; endAt: string; taken: false; remaining: number | null } | { startAt: string; endAt: string; taken: true };

/** The next half hour but one, in the zone: a search defaults to "soon" rather than to a time already gone. */
function soonIn(zone: string): string {
  const now = clockMinutes(localPartsOf(new Date().toISOString(), zone).time);
  return clockText(Math.min(LATEST_START, (Math.floor(now / 30) + 2) * 30));
}

/** Residents: find a free place across the portfolio (or at one site), see free and taken times, book or wait. */
export default function BookPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = usePortfolio();
  const [mode, setMode] = useState<Mode>('search');
  const [pickedDate, setDate] = useState<string | null>(null);
  const [pickedTime, setTime] = useState<string | null>(null);
  const [duration, setDuration] = useState(60);
  // What is typed (it may be empty while someone types "12"); the party size used is always a whole 1-500.
  const [partyText, setPartyText] = useState('1');
  const partySize = Math.min(MAX_PARTY, Math.max(1, Math.trunc(Number(partyText)) || 1));
  const [features, setFeatures] = useState<string[]>([]);
  const [siteKind, setSiteKind] = useState<string | undefined>();
  const [district, setDistrict] = useState<string | undefined>();
  const [siteId, setSiteId] = useState<string | undefined>(user?.homeSiteId ?? undefined);
  const [spaceId, setSpaceId] = useState<string | undefined>();
  const [request, setRequest] = useState<BookingRequest | null>(null);
  const [searched, setSearched] = useState<SearchAsked | null>(null);
  const [waitFor, setWaitFor] = useState<WaitTarget | null>(null);
  const ids = { date: useId(), time: useId(), duration: useId(), party: useId(), kind: useId(), district: useId(), site: useId(), space: useId() };

  const site = portfolio.data?.siteById.get(siteId ?? '');
  // Dates and clock times are the site's when one is picked, else the resident's home site's, else the operator's.
  const zone =
    (mode === 'site' ? site?.timezone : undefined) ??
    portfolio.data?.siteById.get(user?.homeSiteId ?? '')?.timezone ??
    portfolio.data?.organizationZone ??
    'UTC';
  const date = pickedDate ?? todayIn(zone);
  const time = pickedTime ?? soonIn(zone);

  const choices = useMemo(() => {
    const sites = portfolio.data?.sites ?? [];
    const spaces = portfolio.data?.spaces.filter((s) => s.bookableBy === 'residents') ?? [];
    return {
      features: [...new Set(spaces.flatMap((s) => s.features))].sort(),
      kinds: [...new Set(sites.map((s) => s.kind))],
      districts: [...new Set(sites.map((s) => s.district))].sort((a, b) => a.localeCompare(b, 'zh-CN')),
    };
  }, [portfolio.data]);

  // Nothing is asked until the first search; after that the last search's answer stays until the next one.
  const search = useQuery(residentQueries.search(searched));

  const siteSpaces = useMemo(
    () => portfolio.data?.spaces.filter((space) => space.siteId === siteId && space.bookableBy === 'residents') ?? [],
    [portfolio.data, siteId],
  );
  const chosenSpace = siteSpaces.find((space) => space.id === spaceId) ?? siteSpaces[0];
  const slots = useQuery({
    ...residentQueries.slots({ spaceId: chosenSpace?.id ?? '', date, durationMinutes: duration, partySize }),
    enabled: mode === 'site' && chosenSpace !== undefined,
    placeholderData: keepPreviousData,
  });
  const waitlist = useQuery({ ...residentQueries.waitlist(), enabled: mode === 'site' });

  const daySlots = useMemo((): DaySlot[] => {
    if (!slots.data) return [];
    return [
      ...slots.data.slots.map((slot) => ({ ...slot, taken: false as const })),
      ...slots.data.takenSlots.map((slot) => ({ ...slot, taken: true as const })),
    ].sort((a, b) => a.startAt.localeCompare(b.startAt));
  }, [slots.data]);

  /** The resident's own active entry covering a taken slot, so it reads "you are 2nd in line" instead of "join". */
  const entryFor = (slot: { startAt: string; endAt: string }): WaitlistEntry | undefined =>
    waitlist.data?.find(
      (entry) =>
        entry.spaceId === chosenSpace?.id && (entry.status === 'waiting' || entry.status === 'offered') && entry.startAt < slot.endAt && entry.endAt > slot.startAt,
    );

  const join = useMutation({
    mutationFn: (target: NonNullable<typeof waitFor>) =>
      joinWaitlist({ spaceId: target.space.id, startAt: target.startAt, endAt: target.endAt, partySize }),
    onSuccess: (entry) => {
      setWaitFor(null);
      toast('success', t('queue.joinedAt', { position: entry.position ?? 1 }));
      void invalidateWaitlist();
    },
  });

  const booked = (booking: Booking) => {
    setRequest(null);
    toast('success', booking.status === 'pending' ? t('book.requested') : t('book.booked'));
    navigate('/my-bookings');
  };

  const runSearch = () => {
    const startAt = instantAt(date, time, zone);
    setSearched({
      startAt,
      endAt: new Date(Date.parse(startAt) + duration * 60_000).toISOString(),
      partySize,
      features,
      ...(siteKind ? { siteKind } : {}),
      ...(district ? { district } : {}),
      ...(user?.homeSiteId ? { nearSiteId: user.homeSiteId } : {}),
    });
  };

  const bookResult = (result: SearchResult) => {
    if (!searched) return;
    setRequest({ space: result.space, site: result.site, startAt: searched.startAt, endAt: searched.endAt, partySize: searched.partySize });
  };

  const today = todayIn(zone);
  const whenControls = (
    <div className="l-row">
      <LabelledControl id={ids.date} label={t('booking.date')}>
        <input
          id={ids.date}
          type="date"
          className="l-input"
          value={date}
          min={today}
          required
          onChange={(event) => event.target.value && setDate(event.target.value < today ? today : event.target.value)}
        />
      </LabelledControl>
      {mode === 'search' ? (
        <LabelledControl id={ids.time} label={t('booking.start')}>
          <select id={ids.time} className="l-select" value={time} onChange={(event) => setTime(event.target.value)}>
            {TIMES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </LabelledControl>
      ) : null}
      <LabelledControl id={ids.duration} label={t('book.duration')}>
        <select id={ids.duration} className="l-select" value={duration} onChange={(event) => setDuration(Number(event.target.value))}>
          {DURATIONS.map((value) => (
            <option key={value} value={value}>
              {t('book.minutes', { count: value })}
            </option>
          ))}
        </select>
      </LabelledControl>
      <LabelledControl id={ids.party} label={t('booking.partySize')}>
        <input
          id={ids.party}
          type="number"
          inputMode="numeric"
          className="l-input"
          min={1}
          max={MAX_PARTY}
          value={partyText}
          onChange={(event) => setPartyText(event.target.value)}
          onBlur={() => setPartyText(String(partySize))}
        />
      </LabelledControl>
    </div>
  );

  return (
    <div className="l-stack" style={{ maxWidth: 720, margin: '0 auto', width: '100%' }}>
      <h1 className="l-title">{title}</h1>
      <Segmented<Mode>
        block
        label={title}
        value={mode}
        onChange={setMode}
        options={[
          { value: 'search', label: t('book.searchAll') },
          { value: 'site', label: t('book.pickSite') },
        ]}
      />
      {portfolio.error ? <Notice kind="error" title={describeError(portfolio.error)} action={<Button onClick={portfolio.reload}>{t('errors.retry')}</Button>} /> : null}

      {mode === 'search' ? (
        <div className="l-card l-stack l-stack--small">
          {whenControls}
          {choices.features.length ? (
            <fieldset className="l-row" style={{ border: 0, margin: 0, padding: 0 }}>
              <legend className="l-secondary" style={{ padding: 0, marginBottom: 4, fontSize: 14 }}>
                {t('book.features')}
              </legend>
              {choices.features.map((value) => (
                <label key={value} className="l-check">
                  <input
                    type="checkbox"
                    checked={features.includes(value)}
                    onChange={(event) => setFeatures(event.target.checked ? [...features, value] : features.filter((f) => f !== value))}
                  />
                  {t(`features.${value}` as 'features.projector', { defaultValue: value })}
                </label>
              ))}
            </fieldset>
          ) : null}
          <div className="l-row">
            <LabelledControl id={ids.kind} label={t('sites.kind')}>
              <select id={ids.kind} className="l-select" value={siteKind ?? ''} onChange={(event) => setSiteKind(event.target.value || undefined)}>
                <option value="">{t('book.any')}</option>
                {choices.kinds.map((value) => (
                  <option key={value} value={value}>
                    {siteKindLabel(value)}
                  </option>
                ))}
              </select>
            </LabelledControl>
            <LabelledControl id={ids.district} label={t('sites.district')}>
              <select id={ids.district} className="l-select" value={district ?? ''} onChange={(event) => setDistrict(event.target.value || undefined)}>
                <option value="">{t('book.any')}</option>
                {choices.districts.map((value) => (
                  <option key={value} value={value}>
                    {value}
                  </option>
                ))}
              </select>
            </LabelledControl>
          </div>
          <Button variant="primary" block onClick={runSearch} loading={search.isFetching}>
            {t('book.search')}
          </Button>
        </div>
      ) : (
        <div className="l-card l-stack l-stack--small">
          <LabelledControl id={ids.site} label={t('book.site')}>
            <select
              id={ids.site}
              className="l-select"
              data-testid="book-site"
              value={siteId ?? ''}
              onChange={(event) => {
                setSiteId(event.target.value || undefined);
                setSpaceId(undefined);
              }}
            >
              {siteId ? null : <option value="">{t('book.chooseSite')}</option>}
              {(portfolio.data?.sites ?? []).map((s) => (
                <option key={s.id} value={s.id}>{`${s.name}（${s.district}）`}</option>
              ))}
            </select>
          </LabelledControl>
          {siteSpaces.length ? (
            <LabelledControl id={ids.space} label={t('booking.space')}>
              <select id={ids.space} className="l-select" data-testid="book-space" value={chosenSpace?.id ?? ''} onChange={(event) => setSpaceId(event.target.value)}>
                {siteSpaces.map((s) => (
                  <option key={s.id} value={s.id}>{`${s.name} · ${t(`modes.${s.bookingMode}`)} · ${t('book.capacity', { count: s.capacity })}`}</option>
                ))}
              </select>
            </LabelledControl>
          ) : null}
          {whenControls}
        </div>
      )}

      {mode === 'search' ? (
        <SearchResults
          searched={searched !== null}
          results={search.data?.items}
          loading={search.isPending && searched !== null}
          error={search.error}
          onRetry={() => void search.refetch()}
          onBook={bookResult}
          time={time}
        />
      ) : !siteId ? (
        <Empty>{t('book.chooseSite')}</Empty>
      ) : (
        <section className="l-card l-stack l-stack--small" aria-labelledby={`${ids.space}-times`}>
          <h2 className="l-subtitle" id={`${ids.space}-times`} style={{ margin: 0 }}>
            {t('queue.dayTimes')}
          </h2>
          {slots.error ? <Notice kind="error" title={describeError(slots.error)} /> : null}
          {slots.isPending && chosenSpace ? <Skeleton rows={2} /> : null}
          {slots.data && !daySlots.length ? <Empty>{t('book.noSlots')}</Empty> : null}
          {daySlots.some((slot) => slot.taken) ? (
            <p className="l-secondary" style={{ margin: 0 }}>
              {t('queue.takenHint')}
            </p>
          ) : null}
          <div className="l-row" data-testid="slots">
            {daySlots.map((slot) => {
              const clock = formatTime(slot.startAt, slots.data!.timezone, i18n.language);
              if (!slot.taken) {
                return (
                  <Button
                    key={slot.startAt}
                    data-slot-state="free"
                    onClick={() => chosenSpace && site && setRequest({ space: chosenSpace, site, startAt: slot.startAt, endAt: slot.endAt, partySize })}
                  >
                    {clock}
                    {slot.remaining !== null ? <span className="l-secondary"> · {t('book.left', { count: slot.remaining })}</span> : null}
                  </Button>
                );
              }
              const mine = entryFor(slot);
              return (
                <Button
                  key={slot.startAt}
                  data-slot-state="taken"
                  className="l-btn--taken"
                  aria-label={mine ? undefined : t('queue.slotTaken', { time: clock })}
                  onClick={() => chosenSpace && site && !mine && setWaitFor({ space: chosenSpace, siteName: site.name, zone: site.timezone, startAt: slot.startAt, endAt: slot.endAt })}
                >
                  <span style={{ textDecoration: 'line-through' }}>{clock}</span>
                  <span style={{ color: '#4b5563' }}>
                    {' · '}
                    {mine ? (mine.status === 'offered' ? t('waitlist.status.offered') : t('queue.position', { position: mine.position ?? '-' })) : t('queue.taken')}
                  </span>
                </Button>
              );
            })}
          </div>
        </section>
      )}
      {request ? (
        <WithAntd fallback={<LoadingOverlay />}>
          <BookingConfirmModal request={request} onClose={() => setRequest(null)} onBooked={booked} />
        </WithAntd>
      ) : null}
      {waitFor ? (
        <WithAntd fallback={<LoadingOverlay />}>
          <JoinWaitlistDialog
            target={waitFor}
            joining={join.isPending}
            error={join.error}
            onJoin={() => join.mutate(waitFor)}
            onCancel={() => {
              setWaitFor(null);
              join.reset();
            }}
          />
        </WithAntd>
      ) : null}
    </div>
  );
}

/** A control with its visible label above it, growing to share a row with its neighbours. */
function LabelledControl({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <div className="l-field l-grow">
      <label htmlFor={id} className="l-secondary">
        {label}
      </label>
      {children}
    </div>
  );
}

function SearchResults({
  searched,
  results,
  loading,
  error,
  onRetry,
  onBook,
  time,
}: {
  searched: boolean;
  results: SearchResult[] | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  onBook: (result: SearchResult) => void;
  time: string;
}) {
  const { t } = useTranslation();
  if (!searched) return <p className="l-secondary" style={{ margin: 0 }}>{t('book.searchHint')}</p>;
  if (error) return <Notice kind="error" title={describeError(error)} action={<Button onClick={onRetry}>{t('errors.retry')}</Button>} />;
  if (loading) return <Skeleton />;
  if (!results?.length) return <Empty>{t('book.noResults')}</Empty>;
  return (
    <ul className="l-stack l-stack--small" data-testid="search-results" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {results.map((result) => (
        <li key={result.space.id} className="l-card" style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8 }}>
          <div style={{ minWidth: 0, display: 'flex', flexDirection: 'column' }}>
            <span className="l-strong">{result.space.name}</span>
            <span className="l-secondary l-ellipsis">
              {result.site.name}
              {result.distanceKm !== null ? ` · ${t('refusal.distance', { km: result.distanceKm.toFixed(1) })}` : ''}
            </span>
            <span className="l-row" style={{ gap: 4, marginTop: 4 }}>
              <span className="l-tag">{t(`modes.${result.space.bookingMode}`)}</span>
              {result.remaining !== null ? (
                <span className="l-tag l-tag--green">{t('book.left', { count: result.remaining })}</span>
              ) : (
                <span className="l-tag">{t('book.capacity', { count: result.space.capacity })}</span>
              )}
              {result.space.features.slice(0, 3).map((feature) => (
                <span key={feature} className="l-tag">
                  {t(`features.${feature}` as 'features.projector', { defaultValue: feature })}
                </span>
              ))}
            </span>
          </div>
          <Button variant="primary" onClick={() => onBook(result)} aria-label={`${t('book.bookAt', { time })} ${result.space.name}`}>
            {t('book.book')}
          </Button>
        </li>
      ))}
    </ul>
  );
}
