/** Which page each URL shows. Patterns are matched in order; the first match wins. */
import type { ReactNode } from 'react';
import { BaseImages } from './base-images';
import { Environments } from './environments';
import { ImageDetail } from './image-detail';
import { Images } from './images';
import { Overview } from './overview';
import { Packages } from './packages';
import { Settings } from './settings';
import { Vulnerabilities } from './vulnerabilities';
import { Vulnerability } from './vulnerability';

export const pages: [string, (p: Record<string, string>) => ReactNode][] = [
  ['/', () => <Overview />],
  ['/images', () => <Images />],
  ['/images/:digest', (p) => <ImageDetail key={p.digest} digest={p.digest!} />],
  ['/vulnerabilities', () => <Vulnerabilities />],
  ['/vulnerabilities/:id', (p) => <Vulnerability key={p.id} id={p.id!} />],
  ['/packages', () => <Packages />],
  ['/base-images', () => <BaseImages />],
  ['/environments', () => <Environments />],
  ['/settings', () => <Settings />],
];
