import { Alert, Button, Flex, Typography } from 'antd';
import QrScannerEngine from 'qr-scanner';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface QrScannerProps {
  /** Called once with the text of the first QR code seen; the camera stops then. */
  onScan: (text: string) => void;
  onClose: () => void;
}

/**
 * The device camera reading a QR code: a thin wrapper around `qr-scanner` (the browser's BarcodeDetector where
 * there is one, its own decoder in a worker otherwise). Anything it cannot do (no camera, permission refused)
 * is said in words, and typing the code stays possible beside it.
 */
export function QrScanner({ onScan, onClose }: QrScannerProps) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // The latest callback, without restarting the camera when the parent re-renders.
  const scanned = useRef(onScan);
  scanned.current = onScan;

  useEffect(() => {
    if (!video.current) return;
    let done = false;
    const scanner = new QrScannerEngine(
      video.current,
      (result) => {
        if (done) return;
        done = true;
        scanner.stop();
        scanned.current(result.data);
      },
      { returnDetailedScanResult: true, preferredCamera: 'environment', highlightScanRegion: true, maxScansPerSecond: 10 },
    );
    scanner.start().catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
    return () => {
      done = true;
      scanner.destroy();
    };
  }, []);

  return (
    <Flex vertical gap="small" data-testid="qr-scanner">
      {failure ? (
        <Alert type="warning" showIcon title={t('frontDesk.desk.cameraUnavailable', { reason: failure })} />
      ) : (
        <Typography.Text type="secondary">{t('frontDesk.desk.scanning')}</Typography.Text>
      )}
      <video ref={video} muted playsInline style={{ width: '100%', maxHeight: 320, background: '#000', borderRadius: 8, display: failure ? 'none' : 'block' }} />
      <Button onClick={onClose}>{t('frontDesk.desk.stopScan')}</Button>
    </Flex>
  );
}
