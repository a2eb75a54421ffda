/**
 * When a message arrived, as an inbox shows it: "5 minutes ago" within the day, else the date and time on the
 * device's clock (the message itself names times on the site's clock).
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export function formatReceivedAt(iso: string, language: string, now: number = Date.now()): string {
  const ago = now - Date.parse(iso);
  const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  // A clock a little ahead of the server's makes a new message look a few seconds old, never "in 3 seconds".
  if (ago < MINUTE_MS) return relative.format(0, 'second');
  if (ago < HOUR_MS) return relative.format(-Math.floor(ago / MINUTE_MS), 'minute');
  if (ago < DAY_MS) return relative.format(-Math.floor(ago / HOUR_MS), 'hour');
  return new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}
