/** A search box bound to a URL parameter; typing updates the URL after a short pause. */
import { useEffect, useState } from 'react';
import { setQuery } from '../router';

export function FilterInput({ param, value, label, placeholder, reset = ['cursor'] }: { param: string; value: string; label: string; placeholder?: string; reset?: string[] }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => setQuery({ [param]: text, ...Object.fromEntries(reset.map((r) => [r, undefined])) }, { replace: true }), 250);
    return () => clearTimeout(t);
  }, [text, value, param, reset]);
  return <input type="search" aria-label={label} placeholder={placeholder ?? label} value={text} onChange={(e) => setText(e.target.value)} />;
}

export function FilterSelect({ param, value, label, options }: { param: string; value: string; label: string; options: [string, string][] }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => setQuery({ [param]: e.target.value, cursor: undefined })}>
      {options.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  );
}
