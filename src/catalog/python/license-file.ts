/**
 * License files (LICENSE, COPYING) recognised by wording that only one license has, for
 * packages whose metadata names no license but ships its text.
 */
/**
 * Recognise a license from the text of a LICENSE/COPYING file by phrases that only that
 * license has. Returns undefined unless exactly one license matches.
 */
export function detectLicenseText(text: string): string | undefined {
  const t = text.slice(0, 64 * 1024).replace(/\s+/g, ' ');
  const hits: string[] = [];
  if (/Apache License,? Version 2\.0/i.test(t)) hits.push('Apache-2.0');
  if (/Permission is hereby granted, free of charge, to any person obtaining a copy/i.test(t)) hits.push('MIT');
  if (/Permission to use, copy, modify, and\/or distribute this software for any purpose with or without fee is hereby granted/i.test(t)) hits.push('ISC');
  if (/Redistribution and use in source and binary forms, with or without modification, are permitted/i.test(t)) {
    if (/(Neither the name|names of its contributors may be used) .* (endorse|promote)/i.test(t)) hits.push('BSD-3-Clause');
    else if (!/advertising materials/i.test(t)) hits.push('BSD-2-Clause');
  }
  if (/GNU LESSER GENERAL PUBLIC LICENSE Version 3/i.test(t)) hits.push('LGPL-3.0');
  else if (/GNU LESSER GENERAL PUBLIC LICENSE Version 2\.1/i.test(t)) hits.push('LGPL-2.1');
  else if (/GNU GENERAL PUBLIC LICENSE Version 3/i.test(t)) hits.push('GPL-3.0');
  else if (/GNU GENERAL PUBLIC LICENSE Version 2, June 1991/i.test(t)) hits.push('GPL-2.0');
  if (/Mozilla Public License,? (Version|v\.?) ?2\.0/i.test(t)) hits.push('MPL-2.0');
  if (/This is free and unencumbered software released into the public domain/i.test(t)) hits.push('Unlicense');
  return hits.length === 1 ? hits[0] : undefined;
}
