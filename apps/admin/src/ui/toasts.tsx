/**
 * Short messages that outlive the page that raised them ("Booked" shown on the page the booking moved you to).
 * Antd's `message` lives inside antd's App and would take antd onto the first screen; this is the frame's own.
 */
import { useSyncExternalStore } from 'react';

interface Toast {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

const SHOWN_FOR_MS = 3500;
let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const changed = () => listeners.forEach((listener) => listener());

/** Shows `text` at the top of the window for a few seconds (announced to screen readers). */
export function toast(kind: Toast['kind'], text: string): void {
  const id = nextId++;
  toasts = [...toasts, { id, kind, text }];
  changed();
  setTimeout(() => {
    toasts = toasts.filter((t) => t.id !== id);
    changed();
  }, SHOWN_FOR_MS);
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** Where toasts appear: once, at the root of the app. */
export function Toasts() {
  const shown = useSyncExternalStore(subscribe, () => toasts);
  return (
    <div className="l-toasts" role="status" aria-live="polite">
      {shown.map((t) => (
        <div key={t.id} className={t.kind === 'error' ? 'l-toast l-toast--error' : 'l-toast'}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
