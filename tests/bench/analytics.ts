/**
 * Analytics latency over HTTP, one request at a time after a warm-up (docs/performance.md, "Analytics"):
 * the targets are a month of portfolio utilization by site under 300 ms and one site's hour-of-week heatmap under
 * 50 ms, p99. The other rows are for context.
 */

export interface AnalyticsBenchResult {
  name: string;
  p50: number;
  p99: number;
}

/** The last whole calendar month before today (UTC), as local dates: always inside the generated year. */
export function lastWholeMonth(today = new Date()): { from: string; to: string } {
  const firstOfThisMonth = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);
  const lastOfPrevious = new Date(firstOfThisMonth - 86_400_000);
  const from = new Date(Date.UTC(lastOfPrevious.getUTCFullYear(), lastOfPrevious.getUTCMonth(), 1));
  return { from: from.toISOString().slice(0, 10), to: lastOfPrevious.toISOString().slice(0, 10) };
}

function quantile(sorted: number[], q: number): number {
  const rank = q * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

export async function benchAnalytics(opts: {
  baseUrl: string;
  token: string;
  siteId: string;
  iterations: number;
}): Promise<AnalyticsBenchResult[]> {
  const { from, to } = lastWholeMonth();
  const month = `from=${from}&to=${to}`;
  const cases: { name: string; path: string }[] = [
    { name: 'utilization, a month of the portfolio by site (target p99 < 300 ms)', path: `/api/v1/analytics/utilization?${month}&groupBy=site` },
    { name: 'heatmap, one site over a month (target p99 < 50 ms)', path: `/api/v1/analytics/heatmap?${month}&siteId=${opts.siteId}` },
    { name: 'utilization, a month of the portfolio by site and day', path: `/api/v1/analytics/utilization?${month}&groupBy=site&interval=day` },
    { name: 'site ranking, a month against the month before', path: `/api/v1/analytics/site-ranking?${month}` },
    { name: 'heatmap, the whole portfolio over a month', path: `/api/v1/analytics/heatmap?${month}` },
    { name: 'behaviour, a month of the portfolio', path: `/api/v1/analytics/behaviour?${month}` },
  ];
  const headers = { authorization: `Bearer ${opts.token}` };
  const timeOne = async (path: string) => {
    const started = performance.now();
    const res = await fetch(`${opts.baseUrl}${path}`, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return performance.now() - started;
  };

  const results: AnalyticsBenchResult[] = [];
  for (const c of cases) {
    console.log(`analytics: ${c.name}`);
    for (let i = 0; i < 3; i++) await timeOne(c.path);
    const times: number[] = [];
    for (let i = 0; i < opts.iterations; i++) times.push(await timeOne(c.path));
    times.sort((a, b) => a - b);
    results.push({ name: c.name, p50: quantile(times, 0.5), p99: quantile(times, 0.99) });
  }
  return results;
}
