/**
 * One table of a server-paged list: the header (sortable columns through the URL), a row per
 * item, the pager under it, or a note when the page is empty. Every list page uses it, so
 * tables look, page and read aloud the same everywhere.
 */
import type { ReactNode } from 'react';
import { Empty, Pager } from './common';
import { SortHeader } from './sortable';

export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
  /** `num` right-aligns figures. */
  className?: string;
  /** The `sort` value that orders by this column (the server must accept it). */
  sort?: string;
  /** The order a first click asks for (default descending). */
  firstOrder?: 'asc' | 'desc';
}

export function PagedTable<T>({
  label,
  page,
  columns,
  rowKey,
  cursor,
  empty,
  sort,
  param,
}: {
  /** The table's accessible name. */
  label: string;
  page: { items: T[]; next?: string; total?: number };
  columns: Column<T>[];
  rowKey: (item: T, index: number) => string;
  /** The cursor in the URL (to enable "First page"). */
  cursor?: string | null;
  empty: ReactNode;
  /** The URL's current sort and order, when columns sort. */
  sort?: { by: string; order: string };
  /** The URL parameter holding the cursor, when a page shows two paged lists (default `cursor`). */
  param?: string;
}) {
  if (page.items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <div className="tablewrap">
        <table aria-label={label}>
          <thead>
            <tr>
              {columns.map((c) =>
                c.sort && sort ? (
                  <SortHeader key={c.header} label={c.header} col={c.sort} sort={sort.by} order={sort.order} defaultOrder={c.firstOrder} className={c.className} />
                ) : (
                  <th key={c.header} className={c.className}>
                    {c.header}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {page.items.map((item, i) => (
              <tr key={rowKey(item, i)}>
                {columns.map((c) => (
                  <td key={c.header} className={c.className}>
                    {c.cell(item)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager next={page.next} cursor={cursor} param={param} shown={page.items.length} total={page.total} />
    </>
  );
}
