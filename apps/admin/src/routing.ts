/**
 * Client-side routing in a few lines: the path in the address bar is the state, links are real <a href>s, and
 * the API answers every non-API GET with index.html, so any path can be reloaded or shared.
 */
import { type KeyboardEvent, type MouseEvent, useSyncExternalStore } from 'react';

const NAVIGATED = 'linli:navigated';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

const readPath = () => window.location.pathname;

export function usePath(): string {
  return useSyncExternalStore(subscribe, readPath);
}

/** One query parameter of the address (e.g. a deep link's ?offer=<id>), or null; follows navigation like usePath. */
export function useSearchParam(name: string): string | null {
  return useSyncExternalStore(subscribe, () => new URLSearchParams(window.location.search).get(name));
}

export function navigate(path: string, { replace = false }: { replace?: boolean } = {}): void {
  // A path with a query (a deep link, /my-bookings?offer=<id>) moves even on its own page; a bare path (a menu
  // entry) on its own page keeps the page's query (the timeline's view).
  const here = path.includes('?') ? window.location.pathname + window.location.search : window.location.pathname;
  if (path === here) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** For clicks on in-app links: a plain click navigates here; ctrl/cmd/shift/middle clicks stay the browser's. */
export function followLink(event: MouseEvent | KeyboardEvent, path: string): void {
  const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
  if (modified || ('button' in event && event.button !== 0)) return;
  event.preventDefault();
  navigate(path);
}
