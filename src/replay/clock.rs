//! Waiting for a frame's due time with sub-millisecond accuracy on the monotonic clock.
//!
//! tokio's timer wheel has a 1 ms granularity, far too coarse for 10 kHz traffic, so the replay
//! runs on a thread of its own, off the async runtime: it sleeps with `std::thread::sleep` until
//! shortly before the deadline, then spins on [`Instant::now`] for the rest ([`Waiter`]). The
//! timer slack of the thread is lowered to 1 µs so a sleep wakes when asked instead of up to
//! 50 µs later. Long waits are cut into short sleeps so a triggered [`Shutdown`] is noticed
//! within a few milliseconds. What to wait for is [`super::schedule`]'s business.

use std::time::{Duration, Instant};

use crate::shutdown::Shutdown;

/// How long before a deadline sleeping stops and spinning starts, at first. It then follows the
/// wake-up delays seen (see [`Waiter`]): large on a busy machine, small under `--realtime`.
const INITIAL_SPIN: Duration = Duration::from_micros(200);
/// Bounds of the spin margin.
const MIN_SPIN: Duration = Duration::from_micros(20);
const MAX_SPIN: Duration = Duration::from_millis(1);

/// The fixed spin margin under `SCHED_FIFO`: a real-time thread wakes within tens of
/// microseconds, and it must sleep most of the time, or the kernel's real-time throttling
/// (`sched_rt_runtime_us`, 95% of each second) stops it for 50 ms at a time.
const REALTIME_SPIN: Duration = Duration::from_micros(50);

/// Longest single sleep, so an interrupt is noticed quickly.
const SLEEP_SLICE: Duration = Duration::from_millis(20);

/// Ask the kernel to wake this thread from sleeps within 1 µs of the requested time (the default
/// slack is 50 µs). Harmless when it fails: sleeps are then a little later and the spin covers it.
pub(crate) fn tighten_timer_slack() {
    // SAFETY: PR_SET_TIMERSLACK takes a plain integer and affects only the calling thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1000 as libc::c_ulong, 0, 0, 0);
    }
}

/// Run the calling thread under `SCHED_FIFO` at `priority` (1-99), so other programs' work does
/// not delay a due frame by whole scheduler ticks on a busy machine. Needs root or
/// `CAP_SYS_NICE`; the error says why it was refused.
pub(crate) fn make_realtime(priority: i32) -> std::io::Result<()> {
    let param = libc::sched_param { sched_priority: priority };
    // SAFETY: pid 0 is the calling thread; `param` is a valid sched_param for the call.
    let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Waits for deadlines, learning how late this thread wakes from a sleep so that it spins just
/// long enough: twice the latest wake-up delay when that grows, decaying slowly when it shrinks.
/// Spinning less matters at 10 kHz under `--realtime`: a SCHED_FIFO thread that never sleeps is
/// throttled by the kernel for 50 ms every second.
#[derive(Debug)]
pub(crate) struct Waiter {
    spin: Duration,
    /// Keep the spin margin fixed (under `SCHED_FIFO`): a throttled real-time thread wakes late,
    /// and learning from that would make it spin more and be throttled more.
    fixed: bool,
}

impl Default for Waiter {
    fn default() -> Self {
        Waiter { spin: INITIAL_SPIN, fixed: false }
    }
}

impl Waiter {
    /// For a thread running under `SCHED_FIFO`.
    pub fn realtime() -> Waiter {
        Waiter { spin: REALTIME_SPIN, fixed: true }
    }

    /// Block until `deadline`. Returns `false` as soon as the shutdown is triggered, `true` when
    /// the deadline has passed. Never returns before the deadline otherwise.
    pub fn wait_until(&mut self, deadline: Instant, shutdown: &Shutdown) -> bool {
        loop {
            if shutdown.is_triggered() {
                return false;
            }
            let now = Instant::now();
            let Some(left) = deadline.checked_duration_since(now).filter(|d| !d.is_zero()) else {
                return true;
            };
            if left > self.spin {
                let nap = (left - self.spin).min(SLEEP_SLICE);
                std::thread::sleep(nap);
                let late = Instant::now().saturating_duration_since(now + nap);
                self.learn(late);
            } else {
                while Instant::now() < deadline {
                    std::hint::spin_loop();
                }
                return true;
            }
        }
    }

    fn learn(&mut self, late: Duration) {
        if self.fixed {
            return;
        }
        let wanted = (late * 2).clamp(MIN_SPIN, MAX_SPIN);
        self.spin = if wanted > self.spin { wanted } else { (self.spin * 15 + wanted) / 16 };
    }
}

/// How long until `deadline` (zero if it has passed).
pub(crate) fn until(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_never_end_early_and_end_soon_after_the_deadline() {
        tighten_timer_slack();
        for wait in [0u64, 50, 300, 1000, 2500] {
            // A busy machine may preempt any single wait: the best of a few must be accurate.
            let mut best = Duration::MAX;
            let mut waiter = Waiter::default();
            let shutdown = Shutdown::new();
            for _ in 0..5 {
                let deadline = Instant::now() + Duration::from_micros(wait);
                assert!(waiter.wait_until(deadline, &shutdown));
                let now = Instant::now();
                assert!(now >= deadline, "woke {:?} early", deadline - now);
                best = best.min(now - deadline);
            }
            // The point is sub-tick accuracy, far below tokio's 1 ms timer granularity.
            assert!(best < Duration::from_micros(500), "a {wait} us wait woke {best:?} late");
        }
        assert_eq!(until(Instant::now() - Duration::from_secs(1)), Duration::ZERO);
    }

    #[test]
    fn the_spin_margin_follows_wake_up_delays_within_bounds() {
        let mut w = Waiter::default();
        w.learn(Duration::from_micros(400));
        assert_eq!(w.spin, Duration::from_micros(800), "grows at once");
        w.learn(Duration::from_secs(1));
        assert_eq!(w.spin, MAX_SPIN);
        for _ in 0..500 {
            w.learn(Duration::from_micros(3));
        }
        assert_eq!(w.spin, MIN_SPIN, "decays to the floor when wake-ups are prompt");
    }
}
