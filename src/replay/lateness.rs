//! How late each frame was handed to its bus: a fixed-size histogram (1 µs buckets up to 1 ms,
//! then 64 buckets per power of two: under 1.6 % error), so memory stays constant however long
//! the replay loops, with percentiles, the maximum and the drift at the last frame.

use std::time::Duration;

/// Lateness of each frame: when it was handed to the bus minus when it was due.
#[derive(Debug, Clone)]
pub struct Lateness {
    buckets: Vec<u64>,
    count: u64,
    max: Duration,
    /// The most recent frame's lateness: at the end, the total drift of the replay.
    last: Duration,
}

/// Exact 1 µs buckets below this many microseconds.
const LINEAR_US: u64 = 1024;
/// Buckets per power of two above [`LINEAR_US`].
const SUB_BUCKETS: u64 = 64;

impl Default for Lateness {
    fn default() -> Self {
        // 1024 linear buckets, then 64 per doubling from 2^10 to 2^64 µs.
        Lateness {
            buckets: vec![0; (LINEAR_US + 54 * SUB_BUCKETS) as usize],
            count: 0,
            max: Duration::ZERO,
            last: Duration::ZERO,
        }
    }
}

impl Lateness {
    pub fn record(&mut self, late: Duration) {
        let us = late.as_micros().min(u64::MAX as u128) as u64;
        let index = bucket_of(us).min(self.buckets.len() - 1);
        self.buckets[index] += 1;
        self.count += 1;
        self.max = self.max.max(late);
        self.last = late;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn max(&self) -> Duration {
        self.max
    }

    /// The most recent value recorded.
    pub fn last(&self) -> Duration {
        self.last
    }

    /// The `q`-quantile (0.5 = median), as the upper edge of its bucket, never above the maximum.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (index, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Duration::from_micros(bucket_upper_us(index as u64)).min(self.max);
            }
        }
        self.max
    }
}

fn bucket_of(us: u64) -> usize {
    if us < LINEAR_US {
        return us as usize;
    }
    let power = 63 - us.leading_zeros() as u64; // >= 10
    let sub = (us >> (power - 6)) & (SUB_BUCKETS - 1);
    (LINEAR_US + (power - 10) * SUB_BUCKETS + sub) as usize
}

/// The smallest value (µs) above every value of bucket `index`, minus one µs: values in the
/// bucket are at most this.
fn bucket_upper_us(index: u64) -> u64 {
    if index < LINEAR_US {
        return index;
    }
    let power = (index - LINEAR_US) / SUB_BUCKETS + 10;
    let sub = (index - LINEAR_US) % SUB_BUCKETS;
    let width = 1u128 << (power - 6);
    ((1u128 << power) + (sub as u128 + 1) * width - 1).min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_exact_below_a_millisecond_and_within_two_percent_above() {
        let mut l = Lateness::default();
        for us in 1..=1000u64 {
            l.record(Duration::from_micros(us));
        }
        assert_eq!(l.quantile(0.5), Duration::from_micros(500));
        assert_eq!(l.quantile(0.99), Duration::from_micros(990));
        assert_eq!(l.max(), Duration::from_micros(1000));
        let mut l = Lateness::default();
        for v in [5_000u64, 123_456, 7_000_000] {
            l.record(Duration::from_micros(v));
            let q = l.quantile(1.0).as_micros() as f64;
            assert!(q >= v as f64 && q <= v as f64 * 1.016, "{v}: {q}");
        }
        assert_eq!(l.last(), Duration::from_micros(7_000_000));
        for us in [0, 1, 1023, 1024, 1040, 2047, 2048, 1 << 40, u64::MAX] {
            let b = bucket_of(us) as u64;
            assert!(bucket_upper_us(b) >= us, "{us}");
            if b > 0 {
                assert!(bucket_upper_us(b - 1) < us, "{us}");
            }
        }
    }
}
