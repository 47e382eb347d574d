//! What `canplayer` prints at the end (and on Ctrl-C) from a [`ReplayReport`]: frames sent, per
//! bus, what was skipped and why, and how well the schedule was kept: lateness percentiles and
//! the final drift.

use std::fmt::Write;
use std::time::Duration;

use crate::replay::ReplayReport;

fn us(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 10_000.0 {
        format!("{micros:.0} µs")
    } else {
        format!("{:.1} ms", micros / 1000.0)
    }
}

/// The summary lines (each without the tool prefix).
pub(crate) fn lines(tally: &ReplayReport, timed: bool) -> Vec<String> {
    let (per_bus, lateness, elapsed) = (&tally.per_bus, &tally.lateness, tally.elapsed);
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
    fn summary_names_buses_skips_and_timing() {
        let mut tally = ReplayReport { sent: 3, filtered: 2, malformed: 1, ..ReplayReport::default() };
        tally.unmapped.insert("can2".into(), 4);
        tally.lateness.record(Duration::from_micros(20));
        tally.per_bus = vec![("vcan0".to_string(), 2), ("vcan1".to_string(), 1)];
        tally.elapsed = Duration::from_secs(1);
        let text = lines(&tally, true).join("\n");
        assert!(text.contains("3 frames sent in 1.000 s (2 to vcan0, 1 to vcan1)"), "{text}");
        assert!(text.contains("skipped: 2 filtered, 4 unmapped (4 on can2), 1 malformed"), "{text}");
        assert!(text.contains("p50 20 µs, p99 20 µs, max 20 µs; drift at the last frame 20 µs"), "{text}");
    }
}
