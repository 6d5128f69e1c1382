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
/** hdr's counts_len: whole buckets up to HIGHEST's, plus one; the slots past COUNTS_LENGTH stay empty. */
const HDR_COUNTS_LENGTH = (bucketOf(HIGHEST) + 2) << SUB_BUCKET_HALF_MAGNITUDE;

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

  /**
   * The cumulative distribution LATENCY HISTOGRAM replies, as Redis's fillCommandCDF walks it
   * with hdr_iter_log_init(first, base): reporting levels first, first*base, ...; at each level,
   * the highest value of the bucket where the walk reached it and the count of values up to that
   * bucket. Levels where the count did not grow are left out.
   */
  logarithmicCdf(first: number, base: number): [highestValue: number, cumulativeCount: number][] {
    const out: [number, number][] = [];
    let index = -1;
    let value = 0;
    let highest = 0;
    let cumulative = 0;
    let reported = 0;
    let level = first;
    let levelLowest = rangeAtIndex(countsIndex(level))[0];
    // hdr's log_iter_next: go on while values are left, or the next bucket is past the level.
    while (cumulative < this.total || (index < HDR_COUNTS_LENGTH && rangeAtIndex(index + 1)[0] > levelLowest)) {
      while (value < levelLowest && index + 1 < HDR_COUNTS_LENGTH) {
        index++;
        cumulative += index < COUNTS_LENGTH ? this.counts[index] : 0;
        [value, highest] = rangeAtIndex(index);
      }
      if (value < levelLowest) {
        // The end of the counts came first: hdr reports the last bucket once more, then stops.
        if (cumulative > reported) out.push([highest, cumulative]);
        break;
      }
      if (cumulative > reported) out.push([highest, cumulative]);
      reported = cumulative;
      level *= base;
      levelLowest = rangeAtIndex(countsIndex(level))[0];
    }
    return out;
  }
}
