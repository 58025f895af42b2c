import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutboundValueKind, outboundValueKind } from '../../domain/outbound-address';
import { ProviderCatalog } from '../../domain/provider-catalog';

/**
 * The audit table in docs/credential-checks.md is the reviewed decision for every catalog key that
 * names (or looks like it names) a host, a URL or a region. These tests keep the table, the code's
 * policy and the catalog from drifting apart: a new provider key such as `fooUrl` fails here until
 * someone decides what it is.
 */
const DOC = join(__dirname, '../../../../../docs/credential-checks.md');

const KIND_BY_LABEL: Readonly<Record<string, OutboundValueKind | undefined>> = {
  URL: 'url',
  host: 'host',
  region: 'region',
  'host label': 'host-label',
  'Azure connection string': 'azure-connection-string',
  'not an address': undefined,
};

/** Key names that suggest an address; each such catalog key needs a row. */
const LOOKS_LIKE_AN_ADDRESS = /url|host|domain|region|endpoint|instance|server/i;

interface Row {
  readonly provider: string;
  readonly key: string;
  readonly label: string;
}

function auditRows(): Row[] {
  const text = readFileSync(DOC, 'utf8');
  const start = text.indexOf('<!-- outbound-audit:start -->');
  const end = text.indexOf('<!-- outbound-audit:end -->');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const rows: Row[] = [];
  for (const line of text.slice(start, end).split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const provider = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    const key = /^`([^`]+)`$/.exec(cells[2] ?? '')?.[1];
    if (provider && key) rows.push({ provider, key, label: cells[3] });
  }
  return rows;
}

const catalogPairs = ProviderCatalog.all().flatMap((provider) =>
  [...provider.required, ...provider.optional].map((key) => ({ provider: provider.id, key })),
);
const rows = auditRows();
const rowFor = (provider: string, key: string) => rows.find((row) => row.provider === provider && row.key === key);

describe('the outbound audit table (docs/credential-checks.md)', () => {
  it('has rows, each naming a catalog provider key and a known kind', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
    for (const row of rows) {
      expect(catalogPairs).toContainEqual({ provider: row.provider, key: row.key });
      expect(Object.keys(KIND_BY_LABEL)).toContain(row.label);
    }
  });

  it.each(rows.map((row) => [row.provider, row.key, row.label]))('%s %s: the code treats it as "%s"', (provider, key, label) => {
    expect(outboundValueKind(provider, key)).toBe(KIND_BY_LABEL[label]);
  });

  it('lists every catalog key the policy checks', () => {
    const checked = catalogPairs.filter(({ provider, key }) => outboundValueKind(provider, key) !== undefined);
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.filter(({ provider, key }) => !rowFor(provider, key))).toEqual([]);
  });

  it('has a decision for every catalog key whose name suggests an address', () => {
    const suggestive = catalogPairs.filter(({ key }) => LOOKS_LIKE_AN_ADDRESS.test(key));
    expect(suggestive.length).toBeGreaterThan(0);
    expect(suggestive.filter(({ provider, key }) => !rowFor(provider, key))).toEqual([]);
  });
});
