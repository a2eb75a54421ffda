/**
 * The light kit's components (styles in light.css): buttons, notices, waiting states and a choice of a few, for the
 * screens that must load without antd. Each is the plain element with a class; nothing here holds state of its own.
 */
import { type ButtonHTMLAttributes, type ReactNode, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'default' | 'primary' | 'text' | 'link';
  size?: 'middle' | 'large';
  block?: boolean;
  /** Shows a spinner and refuses clicks (aria-busy) while what the button started is running. */
  loading?: boolean;
};

export function Button({ variant = 'default', size = 'middle', block = false, loading = false, className, children, type = 'button', disabled, ...rest }: ButtonProps) {
  const classes = ['l-btn', variant !== 'default' && `l-btn--${variant}`, size === 'large' && 'l-btn--large', block && 'l-btn--block', className];
  return (
    <button type={type} className={classes.filter(Boolean).join(' ')} disabled={disabled || loading} aria-busy={loading || undefined} {...rest}>
      {loading ? <span className="l-spinner l-spinner--small" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

/** A notice in the page: an error (announced), information, or a success. */
export function Notice({ kind, title, description, action }: { kind: 'error' | 'info' | 'success'; title: ReactNode; description?: ReactNode; action?: ReactNode }) {
  return (
    <div className={`l-alert l-alert--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div>
        <div className={description ? 'l-alert-title' : undefined}>{title}</div>
        {description ? <div>{description}</div> : null}
      </div>
      {action}
    </div>
  );
}

/** Something is loading: a spinner on a status region that names it for screen readers. */
export function Spinner({ label, size = 'large' }: { label?: string; size?: 'small' | 'large' }) {
  const { t } = useTranslation();
  return (
    <div role="status" aria-label={label ?? t('boot.loading')} className="l-centered">
      <span className={size === 'small' ? 'l-spinner l-spinner--small' : 'l-spinner'} />
    </div>
  );
}

/** Over the whole window, while a dialog's code is fetched on its first opening. */
export function LoadingOverlay() {
  return (
    <div className="l-overlay">
      <Spinner />
    </div>
  );
}

/** Grey bars where a list will be. */
export function Skeleton({ rows = 3 }: { rows?: number }) {
  const { t } = useTranslation();
  return (
    <div className="l-skeleton" role="status" aria-label={t('boot.loading')}>
      {Array.from({ length: rows }, (_, i) => (
        <span key={i} />
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="l-empty">{children}</div>;
}

/** One of a few, as a row of toggle buttons (aria-pressed on the chosen one). */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  block = false,
  size = 'middle',
}: {
  label?: string;
  value: T;
  options: readonly { value: T; label: ReactNode }[];
  onChange: (value: T) => void;
  block?: boolean;
  size?: 'small' | 'middle';
}) {
  const classes = ['l-segmented', block && 'l-segmented--block', size === 'small' && 'l-segmented--small'];
  return (
    <div role="group" aria-label={label} className={classes.filter(Boolean).join(' ')}>
      {options.map((option) => (
        <button key={option.value} type="button" aria-pressed={option.value === value} onClick={() => option.value !== value && onChange(option.value)}>
          {option.label}
        </button>
      ))}
    </div>
  );
}

// antd's `md` breakpoint: at and above it the menu is a side bar, below it a drawer.
const WIDE = '(min-width: 768px)';
const subscribeToWidth = (onChange: () => void) => {
  const query = window.matchMedia(WIDE);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
};

/** Whether the window is desktop-wide (a side menu) rather than phone-narrow (a drawer). */
export function useWide(): boolean {
  return useSyncExternalStore(subscribeToWidth, () => window.matchMedia(WIDE).matches);
}
