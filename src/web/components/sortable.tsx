/** A table header that sorts by its column through the URL (`sort`, `order`). */
import { setQuery } from '../router';

export function SortHeader({ label, col, sort, order, defaultOrder = 'desc', className }: { label: string; col: string; sort: string; order: string; defaultOrder?: 'asc' | 'desc'; className?: string }) {
  const active = sort === col;
  const next = active ? (order === 'asc' ? 'desc' : 'asc') : defaultOrder;
  return (
    <th className={className} aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" onClick={() => setQuery({ sort: col, order: next, cursor: undefined })}>
        {label}
        {active ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
}
