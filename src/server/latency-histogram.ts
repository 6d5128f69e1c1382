/**
 * Per-command latency distribution for INFO latencystats, with the bucketing of the HdrHistogram
 * Redis 7.0 uses (values in nanoseconds from 1 ns to 1 s, 2 significant digits). Percentiles are
 * reported as the highest value of the bucket they fall in, so they print exactly as Redis's.
 */
const LOWEST = 1;
const HIGHEST = 1_000_000_000;
/** 2 significant digits: 256 sub-buckets, of which the upper half is used past the first bucket. */
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1;

function bucketOf(value: number): number {
  return 32 - Math.clz32(value | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_MAGNITUDE + 1);
}

function countsIndex(value: number): number {
  const bucket = bucketOf(value);
  const subBucket = value >>> bucket;
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
}

/** The lowest and highest values that fall in the bucket of the values counted at `index`. */
function rangeAtIndex(index: number): [number, number] {
  let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  const lowest = subBucket * 2 ** bucket;
  return [lowest, lowest + 2 ** bucket - 1];
}

const COUNTS_LENGTH = countsIndex(HIGHEST) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS_LENGTH);
  total = 0;

  /** Records one duration in nanoseconds (clamped to 1 ns .. 1 s as Redis does). */
  record(nanoseconds: number): void {
    const value = Math.min(HIGHEST, Math.max(LOWEST, Math.round(nanoseconds)));
    this.counts[countsIndex(value)]++;
    this.total++;
  }

  /**
   * hdr_value_at_percentile: the highest value of the bucket holding `percentile` (0..100) of the
   * recorded values (the lowest one for percentile 0).
   */
  valueAtPercentile(percentile: number): number {
    const requested = Math.min(percentile, 100);
    const target = Math.max(1, Math.floor((requested / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      seen += this.counts[i];
      if (seen >= target) return rangeAtIndex(i)[percentile === 0 ? 0 : 1];
    }
    return 0;
  }
}
