/** Which files of an image the secret scan reads, and how. */

/** Trees a package manager owns: their code is a library's, not the image author's. */
const PACKAGE_TREE = /\/(?:node_modules|site-packages|dist-packages|vendor|gems|\.cargo\/registry|pkg\/mod)\/|^\/usr\/share\/(?:doc|man|help|locale|info)\/|^\/usr\/(?:lib|local\/lib)\/(?:python[0-9.]*|ruby|perl[0-9.]*|node|go)\//;

/** Test, fixture, example and documentation folders. */
const TEST_DIR = /\/(?:tests?|__tests__|spec|specs|fixtures?|testdata|test[-_]data|testing|examples?|samples?|docs?|benchmarks?)\//i;

/** A package's own test fixtures and examples: full of keys made for the tests. Never reported. */
export function isPackageTest(path: string): boolean {
  return PACKAGE_TREE.test(path) && TEST_DIR.test(path);
}

export function inPackageTree(path: string): boolean {
  return PACKAGE_TREE.test(path);
}

/** A NUL in the first bytes: binary (ELF, archives, images, compiled code). */
export function looksBinary(head: Buffer): boolean {
  return head.indexOf(0) !== -1;
}
