import { Component, type ReactNode } from 'react';
import { i18n } from '../i18n/index.ts';
import { Button } from '../ui/light.tsx';

/**
 * Catches a page that failed to load or render. The usual cause is a release replacing the chunk files this
 * tab was about to fetch; a reload picks up the new ones.
 */
export class LoadErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="l-stack" style={{ alignItems: 'center', padding: 48 }} role="alert">
        <p style={{ margin: 0 }}>{i18n.t('errors.loadFailed')}</p>
        <Button variant="primary" onClick={() => window.location.reload()}>
          {i18n.t('errors.reload')}
        </Button>
      </div>
    );
  }
}
