/**
 * The "skiplist" encoding of sorted sets, as Redis's zset: a skiplist for order and ranks plus an
 * index from member to skiplist node (a SplitMap). Nodes also sit in a dense array (the node's
 * tag is its index there) for O(1) random picks and a SCAN cursor that never misses a member
 * present for the whole scan. None of the three copies or rehashes all of a large set at once.
 */
import { FUNCTION_BYTES, objectBytes } from '../memory/sizes';
import { ChunkedArray } from './chunked-array';
import { NIL, SkipList } from './skiplist';
import { inFarEnd, type ZsetEncoding, type ZsetEntries } from './zset-encoding';
import { lexAboveMin, lexBelowMax, type LexRange, type ScoreRange } from './zset-range';
import { SplitMap } from './split-map';

/** The skiplist encoding: skiplist + member map + dense array of nodes. */
export class SkiplistZset implements ZsetEncoding {
  readonly list = new SkipList();
  /** Member -> skiplist node. */
  readonly dict = new SplitMap<number>();
  /**
   * Every node, densely (the list's tag of a node is its index here); deleting moves the last
   * node into the hole.
   */
  readonly nodes = new ChunkedArray<number>();
  /** Drops a node being removed from the list from the map and the dense array. */
  private readonly forget = (node: number): void => {
    const list = this.list;
    this.dict.delete(list.member(node));
    const nodes = this.nodes;
    const last = nodes.pop();
    if (last !== node) {
      const slot = list.tag(node);
      nodes.set(slot, last);
      list.setTag(last, slot);
    }
  };

  get size(): number {
    return this.nodes.length;
  }

  /** Estimated bytes: this object (4 fields) and its closure, the index, the node array and the list. */
  memoryUsage(): number {
    return objectBytes(4) + FUNCTION_BYTES + this.dict.bytes() + this.nodes.bytes() + this.list.memoryUsage();
  }

  score(member: string): number | undefined {
    const node = this.dict.get(member);
    return node === undefined ? undefined : this.list.score(node);
  }

  insert(score: number, member: string): void {
    const node = this.list.insert(score, member);
    try {
      this.dict.set(member, node);
    } catch (e) {
      // A Map holds at most 2^24 entries (a SplitMap's part too): undo the insert so that both views stay equal.
      this.list.delete(score, member);
      throw e;
    }
    this.list.setTag(node, this.nodes.length);
    this.nodes.push(node);
  }

  update(member: string, newScore: number): void {
    this.list.updateScore(this.dict.get(member)!, newScore);
  }

  remove(member: string): boolean {
    const node = this.dict.get(member);
    if (node === undefined) return false;
    this.forget(node);
    this.list.delete(this.list.score(node), member);
    return true;
  }

  rankOf(member: string): number {
    const node = this.dict.get(member);
    return node === undefined ? -1 : this.list.rankOf(this.list.score(node), member) - 1;
  }

  collect(rank: number, count: number, reverse: boolean, out: ZsetEntries, within?: ScoreRange): void {
    const list = this.list;
    let node = list.byRank(rank + 1);
    for (let n = 0; n < count && node !== NIL; n++) {
      const score = list.score(node);
      if (within !== undefined && !inFarEnd(score, within, reverse)) break;
      out.push(list.member(node), score);
      node = reverse ? list.previous(node) : list.next(node);
    }
  }

  removeRanks(start: number, end: number): void {
    this.list.deleteRangeByRank(start + 1, end + 1, this.forget);
  }

  firstRankInRange(range: ScoreRange): number {
    return this.list.firstRankInRange(range) - 1;
  }

  lastRankInRange(range: ScoreRange): number {
    return this.list.lastRankInRange(range) - 1;
  }

  lexRange(range: LexRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void {
    const list = this.list;
    let node = reverse ? list.lastInLexRange(range) : list.firstInLexRange(range);
    if (node === NIL) return;
    if (offset > 0) {
      // Skipping is blind to the range, as Redis's loop: jump by rank instead of walking.
      const rank = list.rankOf(list.score(node), list.member(node));
      node = list.byRank(reverse ? rank - offset : rank + offset);
    }
    for (; node !== NIL && limit !== 0; limit--) {
      const member = list.member(node);
      if (reverse ? !lexAboveMin(member, range) : !lexBelowMax(member, range)) break;
      out.push(member, list.score(node));
      node = reverse ? list.previous(node) : list.next(node);
    }
  }

  private rankOfNode(node: number): number {
    return this.list.rankOf(this.list.score(node), this.list.member(node));
  }

  lexCount(range: LexRange): number {
    const list = this.list;
    const first = list.firstInLexRange(range);
    if (first === NIL) return 0;
    let count = list.length - (this.rankOfNode(first) - 1);
    const last = list.lastInLexRange(range);
    if (last !== NIL) count -= list.length - this.rankOfNode(last);
    return count;
  }

  removeLexRange(range: LexRange): number {
    const list = this.list;
    const first = list.firstInLexRange(range);
    if (first === NIL) return 0;
    let count = 1;
    for (let node = list.next(first); node !== NIL && lexBelowMax(list.member(node), range); node = list.next(node)) {
      count++;
    }
    const start = this.rankOfNode(first);
    return list.deleteRangeByRank(start, start + count - 1, this.forget);
  }

  memberAt(i: number): string {
    return this.list.member(this.nodes.at(i));
  }

  scoreAt(i: number): number {
    return this.list.score(this.nodes.at(i));
  }

  /** A copy built afresh (compact storage, whatever this one went through). */
  clone(): SkiplistZset {
    const copy = new SkiplistZset();
    const list = this.list;
    for (let node = list.first; node !== NIL; node = list.next(node)) copy.insert(list.score(node), list.member(node));
    return copy;
  }
}
