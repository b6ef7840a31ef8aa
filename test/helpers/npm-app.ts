/** Small images for compare tests: an npm app folder as a layer, and images written as OCI layouts. */
import { buildImage, writeOciLayout, type LayerSpec } from './image-builder.js';
import { tempDir } from './tmp.js';

/** An app folder with these npm packages installed (name → version). */
export function npmApp(deps: Record<string, string>): LayerSpec {
  const files: LayerSpec = { 'app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: deps }) };
  for (const [name, version] of Object.entries(deps)) files[`app/node_modules/${name}/package.json`] = JSON.stringify({ name, version, license: 'MIT' });
  return files;
}

/** An OCI layout folder holding one image of these layers. */
export async function layoutOf(layers: LayerSpec[]): Promise<string> {
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [await buildImage({ layers })] }]);
  return dir;
}
