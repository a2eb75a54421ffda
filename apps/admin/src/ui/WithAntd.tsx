import { type ReactNode, Suspense, lazy } from 'react';
import { Spinner } from './light.tsx';

const loadAntdRoot = () => import('./AntdRoot.tsx');
const AntdRoot = lazy(loadAntdRoot);

let preloading = false;

/** Starts fetching antd's frame before it is rendered (e.g. together with the page that needs it); once. */
export function preloadAntd(): void {
  if (preloading) return;
  preloading = true;
  loadAntdRoot().catch(() => {
    preloading = false;
  });
}

/**
 * Renders `children` inside antd's theme, locale and App, fetching them first if this is the first antd thing on
 * screen. `fallback`: what shows meanwhile (a spinner for a page; nothing for a dialog about to open).
 */
export function WithAntd({ children, fallback = <Spinner /> }: { children: ReactNode; fallback?: ReactNode }) {
  return (
    <Suspense fallback={fallback}>
      <AntdRoot>{children}</AntdRoot>
    </Suspense>
  );
}
