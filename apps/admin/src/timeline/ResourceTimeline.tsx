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

/** One day of rooms x time (the week is WeekBoard, a table, which reads better at that scale). */
export interface TimelineProps {
  /** Local date (YYYY-MM-DD) the view shows. */
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
  /** "HH:mm": where the day view scrolls to (now, after "jump to now"). */
  scrollTime: string;
  onSelect: (range: WallClockRange) => void;
  onEventChange: (change: WallClockRange & { id: string; revert: () => void }) => void;
  onEventClick: (id: string) => void;
  /** A booking block was pointed at or focused (its box, for a hover card), or left (null). */
  onEventHover: (hovered: { id: string; box: DOMRect } | null) => void;
}

type Calendar = ReturnType<typeof createCalendar>;

/**
 * The library marks its rows and headers with table roles but not a complete table (rowheaders outside rows, a
 * rowgroup with no rows in it), which screen readers stumble over. The day's rows are drawn for the eye; the
 * bookings stay buttons, and the week table (WeekBoard) is the structure read aloud. So the partial table roles go.
 */
const TABLE_ROLES = new Set(['table', 'grid', 'row', 'rowgroup', 'rowheader', 'columnheader', 'gridcell', 'cell']);
/** Attributes that only mean something on those roles (and are refused elsewhere). */
const TABLE_ATTRIBUTES = ['aria-colspan', 'aria-rowspan', 'aria-colindex', 'aria-rowindex', 'aria-colcount', 'aria-rowcount', 'aria-sort'];
const TABLE_SELECTOR = ['[role]', ...TABLE_ATTRIBUTES.map((name) => `[${name}]`)].join(',');
function removeTableRoles(root: HTMLElement): void {
  for (const element of root.querySelectorAll<HTMLElement>(TABLE_SELECTOR)) {
    if (TABLE_ROLES.has(element.getAttribute('role') ?? '')) element.removeAttribute('role');
    if (element.hasAttribute('role')) continue;
    for (const name of TABLE_ATTRIBUTES) if (element.hasAttribute(name)) element.removeAttribute(name);
  }
}

interface EventInfo {
  event: { id: string | number; start: Date; end: Date; resourceIds: (string | number)[]; display: string };
  newResource?: { id: string | number };
  revert: () => void;
}

function minutes(value: number): string {
  return `${String(Math.floor(value / 60)).padStart(2, '0')}:${String(value % 60).padStart(2, '0')}`;
}

function calendarOptions(props: TimelineProps) {
  return {
    view: 'resourceTimelineDay',
    date: props.date,
    timeZone: props.utcOffset,
    locale: props.locale,
    firstDay: 1,
    headerToolbar: { start: '', center: '', end: '' },
    resources: props.resources,
    events: props.events,
    slotMinTime: props.slotMinTime,
    slotMaxTime: props.slotMaxTime,
    slotDuration: '00:30',
    // Wide enough for "08:00" in either language at 13 px without labels touching.
    slotWidth: 56,
    snapDuration: minutes(props.snapMinutes),
    slotLabelFormat: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
    dayHeaderFormat: { weekday: 'short', month: 'numeric', day: 'numeric' },
    height: 'auto',
    scrollTime: `${props.scrollTime}:00`,
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
        const id = String(info.event.id);
        if (info.event.display !== 'background' && !id.startsWith('occupancy:')) latest.current.onEventClick(id);
      },
      eventDidMount: (info: { el: HTMLElement; event: { id: string | number; title: unknown; display: string; classNames?: string[] } }) => {
        if (info.event.display === 'background') return;
        const id = String(info.event.id);
        const show = () => latest.current.onEventHover({ id, box: info.el.getBoundingClientRect() });
        const hide = () => latest.current.onEventHover(null);
        info.el.addEventListener('mouseenter', show);
        info.el.addEventListener('focus', show);
        info.el.addEventListener('mouseleave', hide);
        info.el.addEventListener('blur', hide);
        // Occupancy blocks of shared seat areas are figures, not bookings: nothing to open.
        if (id.startsWith('occupancy:')) return;
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
    const root = host.current;
    removeTableRoles(root);
    // The library re-renders rows as the date or resources change: their roles are taken off again each time.
    const observer = new MutationObserver(() => removeTableRoles(root));
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['role', ...TABLE_ATTRIBUTES] });
    return () => {
      observer.disconnect();
      if (calendar.current) destroyCalendar(calendar.current);
      calendar.current = null;
    };
  }, []);

  const { date, utcOffset, resources, events, slotMinTime, slotMaxTime, snapMinutes, locale, editable, scrollTime } = props;
  useEffect(() => {
    const instance = calendar.current;
    if (!instance) return;
    const options = calendarOptions(latest.current);
    for (const [name, value] of Object.entries(options)) instance.setOption(name, value);
  }, [date, utcOffset, resources, events, slotMinTime, slotMaxTime, snapMinutes, locale, editable, scrollTime]);

  return <div ref={host} className="linli-timeline" data-testid="timeline" />;
}


