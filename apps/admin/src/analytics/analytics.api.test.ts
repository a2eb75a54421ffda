/**
 * The CSV download saves the bytes the API sent: the API starts its CSV with a UTF-8 BOM so Excel reads Chinese
 * site names as UTF-8, and reading the answer as text would silently drop it. Runs the real helper with the
 * browser pieces it touches (fetch, storage, a link, object URLs) stubbed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const BOM = [0xef, 0xbb, 0xbf];
const CSV_BYTES = new Uint8Array([...BOM, ...new TextEncoder().encode('站点,利用率\n徐汇,0.5\n')]);

let saved: Blob[];
let clicked: { download: string }[];

beforeEach(() => {
  saved = [];
  clicked = [];
  vi.stubGlobal('window', { addEventListener: () => {} });
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
  vi.stubGlobal('fetch', async () => new Response(CSV_BYTES, { headers: { 'content-type': 'text/csv; charset=utf-8' } }));
  // The typed client builds a Request from a same-origin path, which only a page can resolve; here, against localhost.
  const NodeRequest = globalThis.Request;
  vi.stubGlobal(
    'Request',
    class extends NodeRequest {
      constructor(input: string | URL | Request, init?: RequestInit) {
        super(typeof input === 'string' ? new URL(input, 'http://localhost') : input, init);
      }
    },
  );
  vi.stubGlobal('document', {
    documentElement: { lang: 'zh-CN' },
    body: { append: () => {} },
    createElement: () => {
      const link = { href: '', download: '', click: () => clicked.push(link), remove: () => {} };
      return link;
    },
  });
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    saved.push(blob as Blob);
    return 'blob:csv';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('downloadCsv', () => {
  it('saves the CSV with the BOM the API sent, so Excel opens Chinese names correctly', async () => {
    const { downloadCsv } = await import('./analytics.api.ts');
    await downloadCsv('site-ranking', { from: '2026-11-01', to: '2026-11-30' });
    expect(clicked.map((l) => l.download)).toEqual(['linli-site-ranking-2026-11-01-2026-11-30.csv']);
    expect(saved).toHaveLength(1);
    expect([...new Uint8Array(await saved[0]!.arrayBuffer())]).toEqual([...CSV_BYTES]);
  });
});
