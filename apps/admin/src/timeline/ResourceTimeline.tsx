/**
 * The operator's rooms x time board: @event-calendar/core's resource timeline (MIT, Svelte compiled to plain
 * JS) mounted into a div. Times go in and come out as wall-clock times of the site's zone ("floating" strings),
 * so the browser's own zone never shifts a booking. This module is loaded lazily with its library.
 */
import '@event-calendar/core/index.css';
import { Interaction, ResourceTimeline as ResourceTimelinePlugin, createCalendar, destroyCalendar } from '@event-calendar/core';
import { useEffect, useRef } from 'react';
import './timeline.css';

export interface TimelineResource {
  id: string;
  title: string;
  children?: TimelineResource[];
}

export interface TimelineEvent {
  id: string;
  resourceIds: string[];
  /** Wall-clock in the site's zone, "YYYY-MM-DDTHH:mm:ss". */
  start: string;
  end: string;
  title: string;
  display?: 'auto' | 'background';
  backgroundColor?: string;
  textColor?: string;
  classNames?: string[];
  editable?: boolean;
}

/** A wall-clock range the person picked or dragged to: local date + "HH:mm" on each end. */
export interface WallClockRange {
  resourceId: string;
  start: Date;
  end: Date;
}

export interface TimelineProps {
  view: 'day' | 'week';
  /** Local date (YYYY-MM-DD) the view shows (its week, for the week view). */
  date: string;
  /** The site's UTC offset ("+08:00"), so "now" is drawn at the right place. */
  utcOffset: string;
  resources: TimelineResource[];
  events: TimelineEvent[];
  slotMinTime: string;
  slotMaxTime: string;
  snapMinutes: number;
  locale: string;
  editable: boolean;
  onSelect: (range: WallClockRange) => void;
  onEventChange: (change: WallClockRange & { id: string; revert: () => void }) => void;
  onEventClick: (id: string) => void;
}

type Calendar = ReturnType<typeof createCalendar>;

interface EventInfo {
  event: { id: string | number; start: Date; end: Date; resourceIds: (string | number)[]; display: string };
  newResource?: { id: string | number };
  revert: () => void;
}

function minutes(value: number): string {
  return `${String(Math.floor(value / 60)).padStart(2, '0')}:${String(value % 60).padStart(2, '0')}`;
}

function calendarOptions(props: TimelineProps) {
  const week = props.view === 'week';
  return {
    view: week ? 'resourceTimelineWeek' : 'resourceTimelineDay',
    date: props.date,
    timeZone: props.utcOffset,
    locale: props.locale,
    firstDay: 1,
    headerToolbar: { start: '', center: '', end: '' },
    resources: props.resources,
    events: props.events,
    slotMinTime: props.slotMinTime,
    slotMaxTime: props.slotMaxTime,
    slotDuration: week ? '01:00' : '00:30',
    slotWidth: week ? 36 : 56,
    snapDuration: minutes(props.snapMinutes),
    slotLabelFormat: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
    dayHeaderFormat: { weekday: 'short', month: 'numeric', day: 'numeric' },
    height: 'auto',
    nowIndicator: true,
    editable: props.editable,
    selectable: props.editable,
    eventResizableFromStart: true,
    eventDurationEditable: props.editable,
    eventStartEditable: props.editable,
    unselectAuto: true,
  };
}

export default function ResourceTimeline(props: TimelineProps) {
  const host = useRef<HTMLDivElement>(null);
  const calendar = useRef<Calendar | null>(null);
  // The calendar calls back long after the render that created it; it must reach the latest handlers.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (!host.current) return;
    const changed = (info: EventInfo) => {
      const resourceId = String(info.newResource?.id ?? info.event.resourceIds[0] ?? '');
      latest.current.onEventChange({ id: String(info.event.id), resourceId, start: info.event.start, end: info.event.end, revert: info.revert });
    };
    calendar.current = createCalendar(host.current, [ResourceTimelinePlugin, Interaction], {
      ...calendarOptions(latest.current),
      select: (info: { start: Date; end: Date; resource?: { id: string | number } }) => {
        latest.current.onSelect({ resourceId: String(info.resource?.id ?? ''), start: info.start, end: info.end });
        calendar.current?.unselect();
      },
      eventDrop: changed,
      eventResize: changed,
      eventClick: (info: EventInfo) => {
        if (info.event.display !== 'background') latest.current.onEventClick(String(info.event.id));
      },
      eventDidMount: (info: { el: HTMLElement; event: { id: string | number; title: unknown; display: string } }) => {
        if (info.event.display === 'background') return;
        // Bookings are reachable and openable by keyboard too.
        info.el.tabIndex = 0;
        info.el.setAttribute('role', 'button');
        info.el.dataset.bookingId = String(info.event.id);
        info.el.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            latest.current.onEventClick(String(info.event.id));
          }
        });
      },
    });
    return () => {
      if (calendar.current) destroyCalendar(calendar.current);
      calendar.current = null;
    };
  }, []);

  const { view, date, utcOffset, resources, events, slotMinTime, slotMaxTime, snapMinutes, locale, editable } = props;
  useEffect(() => {
    const instance = calendar.current;
    if (!instance) return;
    const options = calendarOptions(latest.current);
    for (const [name, value] of Object.entries(options)) instance.setOption(name, value);
  }, [view, date, utcOffset, resources, events, slotMinTime, slotMaxTime, snapMinutes, locale, editable]);

  return <div ref={host} className="linli-timeline" data-testid="timeline" />;
}


