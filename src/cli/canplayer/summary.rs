//! What a replay reports at the end (and on Ctrl-C): frames sent, per bus, what was skipped and
//! why, and how well the schedule was kept: lateness percentiles and the final drift.
//!
//! Lateness is kept in a fixed-size histogram (1 µs buckets up to 1 ms, then 64 buckets per
//! power of two: under 1.6 % error), so memory stays constant however long the replay loops.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

/// Lateness of each frame: when it was handed to the bus minus when it was due.
#[derive(Debug, Clone)]
pub(crate) struct Lateness {
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

/// Counts for the summary.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub sent: u64,
    /// Outside `--start/--end`, rejected by `--filter`, or error frames without `--error-frames`.
    pub filtered: u64,
    /// Frames of channels no `--map` names, by channel as printed.
    pub unmapped: BTreeMap<String, u64>,
    /// Malformed records skipped (all files).
    pub malformed: u64,
    /// Records that are not frames (markers, comments, bus states) or that readers skip on
    /// purpose, by reason.
    pub other: BTreeMap<String, u64>,
    /// Frames the readers kept after mending a contradiction in their file, by reason.
    pub repaired: BTreeMap<String, u64>,
    /// Loops completed.
    pub loops_done: u64,
}

impl Tally {
    pub fn unmapped_total(&self) -> u64 {
        self.unmapped.values().sum()
    }
}

fn us(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 10_000.0 {
        format!("{micros:.0} µs")
    } else {
        format!("{:.1} ms", micros / 1000.0)
    }
}

/// The summary lines (each without the tool prefix).
pub(crate) fn lines(
    tally: &Tally,
    per_bus: &[(String, u64)],
    lateness: &Lateness,
    elapsed: Duration,
    timed: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = format!("{} frames sent in {:.3} s", tally.sent, elapsed.as_secs_f64());
    if per_bus.len() > 1 {
        let parts: Vec<String> = per_bus.iter().map(|(bus, n)| format!("{n} to {bus}")).collect();
        let _ = write!(line, " ({})", parts.join(", "));
    } else if let Some((bus, _)) = per_bus.first() {
        let _ = write!(line, " to {bus}");
    }
    if tally.loops_done > 1 {
        let _ = write!(line, "; {} loops", tally.loops_done);
    }
    out.push(line);
    let mut skipped = Vec::new();
    if tally.filtered > 0 {
        skipped.push(format!("{} filtered", tally.filtered));
    }
    if !tally.unmapped.is_empty() {
        let channels: Vec<String> = tally.unmapped.iter().map(|(c, n)| format!("{n} on {c}")).collect();
        skipped.push(format!("{} unmapped ({})", tally.unmapped_total(), channels.join(", ")));
    }
    if tally.malformed > 0 {
        skipped.push(format!("{} malformed", tally.malformed));
    }
    for (why, n) in &tally.other {
        skipped.push(format!("{n} {why}"));
    }
    if !skipped.is_empty() {
        out.push(format!("skipped: {}", skipped.join(", ")));
    }
    if !tally.repaired.is_empty() {
        let repaired: Vec<String> = tally.repaired.iter().map(|(why, n)| format!("{n} {why}")).collect();
        out.push(format!("repaired and kept: {}", repaired.join(", ")));
    }
    if lateness.count() > 0 {
        if timed {
            out.push(format!(
                "lateness: p50 {}, p99 {}, max {}; drift at the last frame {}",
                us(lateness.quantile(0.5)),
                us(lateness.quantile(0.99)),
                us(lateness.max()),
                us(lateness.last())
            ));
        } else {
            out.push(format!(
                "timestamps ignored: {:.0} frames/s",
                tally.sent as f64 / elapsed.as_secs_f64().max(1e-9)
            ));
        }
    }
    out
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

    #[test]
    fn summary_names_buses_skips_and_timing() {
        let mut tally = Tally { sent: 3, filtered: 2, malformed: 1, ..Tally::default() };
        tally.unmapped.insert("can2".into(), 4);
        let mut l = Lateness::default();
        l.record(Duration::from_micros(20));
        let per_bus = [("vcan0".to_string(), 2), ("vcan1".to_string(), 1)];
        let text = lines(&tally, &per_bus, &l, Duration::from_secs(1), true).join("\n");
        assert!(text.contains("3 frames sent in 1.000 s (2 to vcan0, 1 to vcan1)"), "{text}");
        assert!(text.contains("skipped: 2 filtered, 4 unmapped (4 on can2), 1 malformed"), "{text}");
        assert!(text.contains("p50 20 µs, p99 20 µs, max 20 µs; drift at the last frame 20 µs"), "{text}");
    }
}
