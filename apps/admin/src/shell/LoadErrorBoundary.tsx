import { Button, Flex, Typography } from 'antd';
import { Component, type ReactNode } from 'react';
import { i18n } from '../i18n/index.ts';

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
      <Flex vertical align="center" gap="middle" style={{ padding: 48 }} role="alert">
        <Typography.Text>{i18n.t('errors.loadFailed')}</Typography.Text>
        <Button type="primary" onClick={() => window.location.reload()}>
          {i18n.t('errors.reload')}
        </Button>
      </Flex>
    );
  }
}
