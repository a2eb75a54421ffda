// @event-calendar/core ships JavaScript without type declarations; this covers what the timeline uses.
declare module '@event-calendar/core' {
  export interface CalendarInstance {
    setOption(name: string, value: unknown): CalendarInstance;
    getOption(name: string): unknown;
    unselect(): CalendarInstance;
    refetchEvents(): CalendarInstance;
  }
  export type CalendarPlugin = object;
  export const ResourceTimeline: CalendarPlugin;
  export const Interaction: CalendarPlugin;
  export function createCalendar(target: HTMLElement, plugins: CalendarPlugin[], options: Record<string, unknown>): CalendarInstance;
  export function destroyCalendar(calendar: CalendarInstance): void;
}
