// Jars without pom.properties: named by their file when the manifest does not hold Maven
// coordinates, never by a title with spaces, and never dropped because the manifest is empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeJavaArchive, nameFromFile } from '../../../src/catalog/java/archive.js';
import { makeZip } from '../../helpers/zip-writer.js';

const jar = (manifest: string) => makeZip([{ name: 'META-INF/MANIFEST.MF', data: manifest }, { name: 'x/A.class', data: 'cafebabe' }]);
const coords = (path: string, manifest: string) => analyzeJavaArchive(jar(manifest), path).artifacts.map((a) => [a.groupId, a.artifactId, a.version, a.source]);

test('file names: artifactId-version, version-less names', () => {
  assert.deepEqual(nameFromFile('/usr/share/java/commons-logging-1.2.jar'), { artifactId: 'commons-logging', version: '1.2' });
  assert.deepEqual(nameFromFile('mongodb-driver-3.6.3.jar'), { artifactId: 'mongodb-driver', version: '3.6.3' });
  assert.deepEqual(nameFromFile('guava-31.1-jre.jar'), { artifactId: 'guava', version: '31.1-jre' });
  assert.deepEqual(nameFromFile('gettext.jar'), { artifactId: 'gettext' });
});

test('a manifest title with spaces is not an artifactId: the file name gives it, the manifest the group', () => {
  const manifest = 'Manifest-Version: 1.0\nImplementation-Title: Commons Logging\nImplementation-Version: 1.2\nImplementation-Vendor-Id: commons-logging\nImplementation-Vendor: The Apache Software Foundation\n';
  assert.deepEqual(coords('/usr/share/java/commons-logging-1.2.jar', manifest), [['commons-logging', 'commons-logging', '1.2', 'file-name']]);
  const osgi = 'Manifest-Version: 1.0\nBundle-Name: Apache Felix Utils\nBundle-SymbolicName: org.apache.felix.utils\nBundle-Version: 1.11.8\n';
  assert.deepEqual(coords('/app/lib/felix-utils.jar', osgi), [['org.apache.felix', 'felix-utils', '1.11.8', 'file-name']]);
});

test('an empty manifest does not drop the jar', () => {
  assert.deepEqual(coords('/opt/app/lib/mongodb-driver-3.6.3.jar', 'Manifest-Version: 1.0\nCreated-By: 1.8.0 (Oracle)\n'), [['mongodb-driver', 'mongodb-driver', '3.6.3', 'file-name']]);
});

test('a manifest with real coordinates is still read as before', () => {
  const manifest = 'Manifest-Version: 1.0\nImplementation-Title: commons-io\nImplementation-Version: 2.11.0\nImplementation-Vendor-Id: commons-io\n';
  assert.deepEqual(coords('/x/whatever.jar', manifest), [['commons-io', 'commons-io', '2.11.0', 'manifest']]);
});
