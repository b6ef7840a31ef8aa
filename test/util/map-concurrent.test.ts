import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapConcurrent } from '../../src/util/map-concurrent.js';

test('mapConcurrent: results in the items\' order, never more than `limit` calls at once, each item once', async () => {
  let running = 0;
  let most = 0;
  const calls: number[] = [];
  // Later items finish first: the order of results must still be the items'.
  const out = await mapConcurrent([...Array(20).keys()], 3, async (x, i) => {
    assert.equal(x, i);
    calls.push(x);
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 20 - x));
    running--;
    return x * 10;
  });
  assert.deepEqual(out, [...Array(20).keys()].map((x) => x * 10));
  assert.equal(most, 3);
  assert.deepEqual([...calls].sort((a, b) => a - b), [...Array(20).keys()]);
  assert.deepEqual(await mapConcurrent([], 4, async () => 1), []);
  await assert.rejects(mapConcurrent([1, 2], 2, async (x) => {
    if (x === 2) throw new Error('two');
    return x;
  }), /two/);
});
