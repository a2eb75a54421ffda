import { useQuery } from '@tanstack/react-query';
import { Skeleton } from 'antd';
import { toDataURL } from 'qrcode';

interface QrCodeProps {
  /** What the code encodes (a check-in code, a kiosk link). */
  value: string;
  /** Its side in CSS pixels; drawn at twice that for sharp screens and print. */
  size: number;
  /** What a screen reader says instead. */
  alt: string;
}

/** A QR code as an image (the `qrcode` package draws it); the same value is drawn once and kept. */
export function QrCode({ value, size, alt }: QrCodeProps) {
  const image = useQuery({
    queryKey: ['qr', value, size],
    queryFn: () => toDataURL(value, { margin: 1, width: size * 2, errorCorrectionLevel: 'M' }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (!image.data) return <Skeleton.Node active style={{ width: size, height: size }} />;
  return <img src={image.data} alt={alt} width={size} height={size} data-testid="qr-code" style={{ display: 'block', imageRendering: 'pixelated' }} />;
}
