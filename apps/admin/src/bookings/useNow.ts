import { useEffect, useState } from 'react';

/** The current time in ms, re-read every `everyMs`: for what appears or changes as time passes (a window opening). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
