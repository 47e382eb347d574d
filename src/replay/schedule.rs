//! When each frame is due: pure arithmetic from recorded timestamps to offsets from the start of
//! the replay, with `--speed`, `--gap`, `--skip` and `--ignore-timestamps`. Waiting for those
//! offsets is [`super::clock`]'s business.
//!
//! The rule, for frame i of the replay (all files and loops in one sequence):
//! * recorded elapsed time `E_i = E_{i-1} + min(max(t_i − t_{i-1}, 0), skip × speed)`, with
//!   `E_0 = 0`; a timestamp earlier than the previous one counts as no gap, and the first frame of
//!   each file (and of each loop) follows the previous frame with no gap: each file's timing starts
//!   where the previous one ended;
//! * offset `O_i = max(round(E_i / speed), O_{i-1} + gap)`.
//!
//! `E_i` is an exact integer number of nanoseconds and `O_i` is computed from it with one division,
//! never by adding per-frame gaps, so rounding never accumulates over hours. A frame pushed back by
//! `--gap` does not shift the frames after it: the schedule catches up with the recorded timing as
//! soon as recorded gaps allow, as can-utils does. With `--ignore-timestamps` every recorded gap
//! counts as zero, so frames follow each other `gap` apart (as fast as possible with no gap).

use std::time::Duration;

use crate::frame::Timestamp;

/// The timing options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Replay speed factor: 2.0 plays twice as fast. Finite and positive.
    pub speed: f64,
    /// Minimum time between two frames' scheduled times.
    pub gap: Duration,
    /// Longest pause between two frames in replay time; longer recorded gaps are cut to this.
    pub skip: Option<Duration>,
    /// Send frames back to back (`gap` apart), ignoring their timestamps.
    pub ignore_timestamps: bool,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { speed: 1.0, gap: Duration::ZERO, skip: None, ignore_timestamps: false }
    }
}

/// Turns recorded timestamps into offsets from the start of the replay, frame by frame.
#[derive(Debug)]
pub(crate) struct Scheduler {
    timing: Timing,
    /// `skip` in recorded time (scaled by the speed), nanoseconds; `i64::MAX` without `--skip`.
    max_recorded_gap: i64,
    /// `gap` in nanoseconds.
    gap: i64,
    /// Recorded timestamp of the previous frame of the current file; `None` at the start of a file
    /// or loop, so its first frame follows the previous one without a gap.
    previous_recorded: Option<Timestamp>,
    /// Recorded time elapsed since the first frame, after `--skip` cuts (`E` above).
    recorded_elapsed: i64,
    /// Offset of the previous frame (`O_{i-1}`), `None` before the first frame.
    previous_offset: Option<i64>,
}

impl Scheduler {
    pub fn new(timing: Timing) -> Scheduler {
        let max_recorded_gap = match timing.skip {
            Some(skip) => (skip.as_nanos() as f64 * timing.speed).min(i64::MAX as f64) as i64,
            None => i64::MAX,
        };
        Scheduler {
            timing,
            max_recorded_gap,
            gap: timing.gap.as_nanos().min(i64::MAX as u128) as i64,
            previous_recorded: None,
            recorded_elapsed: 0,
            previous_offset: None,
        }
    }

    /// A new file or loop begins: its first frame follows the previous frame without a gap.
    pub fn start_segment(&mut self) {
        self.previous_recorded = None;
    }

    /// The offset from the start of the replay at which a frame recorded at `recorded` is due.
    pub fn next(&mut self, recorded: Timestamp) -> Duration {
        if !self.timing.ignore_timestamps {
            if let Some(previous) = self.previous_recorded {
                let gap = recorded.0.saturating_sub(previous.0).clamp(0, self.max_recorded_gap);
                self.recorded_elapsed = self.recorded_elapsed.saturating_add(gap);
            }
            self.previous_recorded = Some(recorded);
        }
        let scaled = if self.timing.speed == 1.0 {
            self.recorded_elapsed
        } else {
            (self.recorded_elapsed as f64 / self.timing.speed).round().min(i64::MAX as f64) as i64
        };
        let offset = match self.previous_offset {
            Some(previous) => scaled.max(previous.saturating_add(self.gap)),
            None => scaled,
        };
        self.previous_offset = Some(offset);
        Duration::from_nanos(offset.max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn at_ms(n: i64) -> Timestamp {
        Timestamp(n * 1_000_000)
    }

    /// Offsets for frames recorded at these milliseconds, in one file.
    fn offsets(timing: Timing, recorded_ms: &[i64]) -> Vec<Duration> {
        let mut s = Scheduler::new(timing);
        recorded_ms.iter().map(|&t| s.next(at_ms(1_700_000_000_000 + t))).collect()
    }

    #[test]
    fn recorded_spacing_is_kept_from_the_first_frame() {
        assert_eq!(offsets(Timing::default(), &[0, 10, 15, 1015]), [ms(0), ms(10), ms(15), ms(1015)]);
    }

    #[test]
    fn speed_divides_every_offset() {
        let timing = Timing { speed: 2.0, ..Timing::default() };
        assert_eq!(
            offsets(timing, &[0, 10, 15, 1015]),
            [ms(0), ms(5), Duration::from_micros(7500), Duration::from_micros(507_500)]
        );
        let timing = Timing { speed: 0.5, ..Timing::default() };
        assert_eq!(offsets(timing, &[0, 10, 15]), [ms(0), ms(20), ms(30)]);
    }

    #[test]
    fn gap_is_a_floor_and_the_schedule_catches_up_afterwards() {
        let timing = Timing { gap: ms(4), ..Timing::default() };
        // 1 ms apart recorded: pushed to 4 ms apart; then a long recorded gap: back on the recording.
        assert_eq!(offsets(timing, &[0, 1, 2, 3, 100, 101]), [ms(0), ms(4), ms(8), ms(12), ms(100), ms(104)]);
    }

    #[test]
    fn skip_cuts_long_pauses_and_shifts_everything_after_them() {
        let timing = Timing { skip: Some(ms(200)), ..Timing::default() };
        assert_eq!(offsets(timing, &[0, 100, 10_100, 10_150]), [ms(0), ms(100), ms(300), ms(350)]);
        // The cut is in replay time: at speed 2, a recorded 10 s pause would last 5 s, cut to 0.2 s.
        let timing = Timing { skip: Some(ms(200)), speed: 2.0, ..Timing::default() };
        assert_eq!(offsets(timing, &[0, 100, 10_100, 10_150]), [ms(0), ms(50), ms(250), ms(275)]);
    }

    #[test]
    fn ignore_timestamps_sends_back_to_back_or_gap_apart() {
        let timing = Timing { ignore_timestamps: true, ..Timing::default() };
        assert_eq!(offsets(timing, &[0, 1000, 5000]), [ms(0), ms(0), ms(0)]);
        let timing = Timing { ignore_timestamps: true, gap: ms(3), ..Timing::default() };
        assert_eq!(offsets(timing, &[0, 1000, 5000]), [ms(0), ms(3), ms(6)]);
    }

    #[test]
    fn timestamps_going_backwards_count_as_no_gap() {
        assert_eq!(offsets(Timing::default(), &[0, 50, 20, 70]), [ms(0), ms(50), ms(50), ms(100)]);
    }

    #[test]
    fn each_file_and_loop_starts_where_the_previous_ended() {
        let mut s = Scheduler::new(Timing::default());
        let first: Vec<_> = [0, 10, 30].iter().map(|&t| s.next(at_ms(1000 + t))).collect();
        s.start_segment();
        // The second file was recorded at another time entirely (earlier even).
        let second: Vec<_> = [0, 5].iter().map(|&t| s.next(at_ms(-50_000 + t))).collect();
        s.start_segment();
        let loop_again: Vec<_> = [0, 10].iter().map(|&t| s.next(at_ms(1000 + t))).collect();
        assert_eq!(first, [ms(0), ms(10), ms(30)]);
        assert_eq!(second, [ms(30), ms(35)]);
        assert_eq!(loop_again, [ms(35), ms(45)]);
    }

    #[test]
    fn offsets_do_not_accumulate_rounding_over_hours() {
        // 10 kHz for 20 minutes at speed 3: every per-frame gap (33,333.3 ns) rounds, so summing
        // rounded gaps would be off by 0.33 ns per frame, 4 ms in total. The schedule must stay
        // exact to the nanosecond.
        let timing = Timing { speed: 3.0, ..Timing::default() };
        let mut s = Scheduler::new(timing);
        let start = 1_700_000_000_000_000_000i64;
        let frames = 12_000_000i64;
        let mut last = Duration::ZERO;
        for i in 0..frames {
            last = s.next(Timestamp(start + i * 100_000));
        }
        let exact = ((frames - 1) as f64 * 100_000.0 / 3.0).round() as u64;
        assert_eq!(last, Duration::from_nanos(exact));
        // And at speed 1 an offset is exactly the recorded elapsed time.
        let mut s = Scheduler::new(Timing::default());
        let mut last = Duration::ZERO;
        for i in 0..1_000_000i64 {
            last = s.next(Timestamp(start + i * 100_003));
        }
        assert_eq!(last, Duration::from_nanos(999_999 * 100_003));
    }
}
