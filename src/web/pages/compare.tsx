/** Compare an image with another of the organisation (by default, another tag of its repository). */
import type { ImageDetail } from '../types';
import { Empty } from '../components/common';

export function Compare({ img }: { img: ImageDetail }) {
  return <Empty>Comparing {img.repository ?? 'this image'} with another tag is not available yet.</Empty>;
}
