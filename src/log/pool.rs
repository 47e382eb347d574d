//! The worker threads of every format that works in parallel: BLF inflates and deflates its
//! containers on a [`Pool`], the text readers parse their blocks of lines on one, the SQLite
//! reader decodes its chunks of rows on one. Jobs go in in order and their outputs come back in
//! the same order, whichever thread ran them and however long each took. What a job is, how far
//! to work ahead and what an output means stay with each format.
//!
//! * **Order.** Every job gets a small channel of its own for its outputs, and those channels are
//!   queued in the order the jobs were submitted; [`Pool::take`] reads them in that order. A job
//!   makes one output, or streams several before its last (the SQLite reader's batches of rows).
//! * **Bounded memory.** At most `ahead` jobs are in flight (submitted, and not all their outputs
//!   taken), and a job holds at most `per_job` outputs before its thread waits for them to be
//!   taken.
//! * **Balance.** The threads take jobs from one shared queue, so a thread the system slows down
//!   holds nobody up. Each thread makes its own state (a zlib stream, a database connection) once,
//!   with `init`.
//! * **Early drop.** Dropping the pool drops every output channel, so a thread waiting to hand an
//!   output over stops that job; jobs still queued are skipped; the threads are joined.
//! * **Who feeds it.** Usually the thread that takes the outputs: [`Pool::submit`] never waits,
//!   and [`Pool::has_room`] says whether to submit. The text readers feed theirs from a thread
//!   that reads the input ([`Pool::with_submitter`]), which waits for room instead.
//!
//! A panicking job loses its output ([`Lost`]) and ends its thread; the others go on.
//!
//! The threads belong to their pool, not to the process (as rayon's global ones would): a thread
//! waits whenever its outputs are not taken, and threads shared between pools would let one slow
//! consumer hold the threads another pool's jobs need. On two cores, `canlogger convert log.db
//! out.blf` could stop dead: SQLite chunks waiting for the main thread to take their rows, the
//! main thread waiting for a BLF container to be compressed, and no thread left to compress it.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// How many threads a pool runs and how much it may hold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Threads to start (fewer if the system will not start them all, at least one).
    pub(crate) threads: usize,
    /// Jobs in flight at most: submitted, and not all their outputs taken. A [`Submitter`] waits
    /// while this many wait to be taken (besides the one being taken, and the one it holds).
    pub(crate) ahead: usize,
    /// Outputs a job holds before its thread waits for them to be taken.
    pub(crate) per_job: usize,
}

/// What goes through a job's output channel.
enum Output<O> {
    /// An output, more to follow.
    More(O),
    /// The job's last output.
    Last(O),
}

/// A job's output channel, as its thread holds it.
type OutputSender<O> = SyncSender<Output<O>>;
/// A job's output channel, as the pool holds it.
type OutputReceiver<O> = Receiver<Output<O>>;

/// What the threads take from their shared queue.
enum Message<J, O> {
    Job(J, OutputSender<O>),
    /// End one thread. Sent when the pool is dropped: a submitter on another thread may still
    /// hold the queue open.
    Stop,
}

/// A job ended without its last output: its work panicked (the message went to stderr).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Lost;

/// Where a job's work hands the outputs before its last one.
pub(crate) struct Emit<'a, O> {
    out: &'a OutputSender<O>,
}

impl<O> Emit<'_, O> {
    /// Hands `output` over, waiting while the job holds [`Limits::per_job`] outputs. False when
    /// the pool is gone: the job should stop, its last output goes nowhere.
    pub(crate) fn send(&mut self, output: O) -> bool {
        self.out.send(Output::More(output)).is_ok()
    }
}

/// The output channels of the jobs in flight, oldest first.
enum Order<O> {
    /// Jobs submitted with [`Pool::submit`].
    Here(VecDeque<OutputReceiver<O>>),
    /// Jobs submitted by a [`Submitter`] on another thread; disconnected once it is dropped.
    Elsewhere(Option<Receiver<OutputReceiver<O>>>),
}

/// Threads running jobs, and their outputs in submission order; see the module documentation.
pub(crate) struct Pool<J, O> {
    /// The threads' shared queue.
    jobs: Sender<Message<J, O>>,
    order: Order<O>,
    /// The output channel of the oldest job in flight, once taken out of `order`.
    current: Option<OutputReceiver<O>>,
    limits: Limits,
    /// Set when the pool is dropped: threads skip the jobs still queued.
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Feeds a [`Pool`] from another thread (made by [`Pool::with_submitter`]).
pub(crate) struct Submitter<J, O> {
    jobs: Sender<Message<J, O>>,
    /// Bounded by [`Limits::ahead`]: [`Submitter::submit`] waits for room.
    order: SyncSender<OutputReceiver<O>>,
    per_job: usize,
}

impl<J: Send + 'static, O: Send + 'static> Pool<J, O> {
    /// Starts `limits.threads` threads named `name(i)`; each makes its state with `init`, then
    /// runs jobs with `work`, which hands over all outputs but the last with [`Emit::send`] and
    /// returns the last. Fails only if not even one thread starts.
    pub(crate) fn start<S, I, W>(
        limits: Limits,
        name: impl Fn(usize) -> String,
        init: I,
        work: W,
    ) -> io::Result<Self>
    where
        I: Fn() -> S + Send + Sync + 'static,
        W: Fn(&mut S, J, &mut Emit<'_, O>) -> O + Send + Sync + 'static,
    {
        Pool::spawn(limits, name, init, work, Order::Here(VecDeque::new()))
    }

    /// [`Pool::start`] for a pool fed from another thread, through the [`Submitter`]: [`Pool::take`]
    /// returns `None` once the submitter is dropped and every output is taken.
    pub(crate) fn with_submitter<S, I, W>(
        limits: Limits,
        name: impl Fn(usize) -> String,
        init: I,
        work: W,
    ) -> io::Result<(Self, Submitter<J, O>)>
    where
        I: Fn() -> S + Send + Sync + 'static,
        W: Fn(&mut S, J, &mut Emit<'_, O>) -> O + Send + Sync + 'static,
    {
        let (order_tx, order_rx) = mpsc::sync_channel(limits.ahead.max(1));
        let pool = Pool::spawn(limits, name, init, work, Order::Elsewhere(Some(order_rx)))?;
        let submitter = Submitter { jobs: pool.jobs.clone(), order: order_tx, per_job: pool.limits.per_job };
        Ok((pool, submitter))
    }

    fn spawn<S, I, W>(
        limits: Limits,
        name: impl Fn(usize) -> String,
        init: I,
        work: W,
        order: Order<O>,
    ) -> io::Result<Self>
    where
        I: Fn() -> S + Send + Sync + 'static,
        W: Fn(&mut S, J, &mut Emit<'_, O>) -> O + Send + Sync + 'static,
    {
        let limits = Limits {
            threads: limits.threads.max(1),
            ahead: limits.ahead.max(1),
            per_job: limits.per_job.max(1),
        };
        let (jobs, queue) = mpsc::channel::<Message<J, O>>();
        // Only the threads hold the queue's receiving end: once they have all ended, submitting
        // fails instead of queueing jobs nobody will run.
        let queue = Arc::new(Mutex::new(queue));
        let stop = Arc::new(AtomicBool::new(false));
        let (init, work) = (Arc::new(init), Arc::new(work));
        let mut threads = Vec::with_capacity(limits.threads);
        let mut failure = None;
        for i in 0..limits.threads {
            let (queue, stop, init, work) = (queue.clone(), stop.clone(), init.clone(), work.clone());
            match std::thread::Builder::new().name(name(i)).spawn(move || run(&queue, &stop, &*init, &*work))
            {
                Ok(handle) => threads.push(handle),
                Err(e) => {
                    // Fewer threads than asked for still work.
                    failure = Some(e);
                    break;
                }
            }
        }
        if threads.is_empty() {
            return Err(failure.unwrap_or_else(|| io::Error::other("no thread started")));
        }
        Ok(Pool { jobs, order, current: None, limits, stop, threads })
    }
}

/// A thread of a pool: jobs from the queue until told to stop or the pool is gone.
fn run<S, J, O>(
    queue: &Mutex<Receiver<Message<J, O>>>,
    stop: &AtomicBool,
    init: &dyn Fn() -> S,
    work: &dyn Fn(&mut S, J, &mut Emit<'_, O>) -> O,
) {
    let mut state = init();
    loop {
        // The lock is held only by the thread waiting for the next job, never while working, so
        // no panic poisons it; and a poisoned receiver still receives.
        let message = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(Message::Job(job, out)) = message else { return };
        if stop.load(Ordering::Relaxed) {
            continue;
        }
        let last = work(&mut state, job, &mut Emit { out: &out });
        // The pool may be gone; then the output is simply dropped.
        let _ = out.send(Output::Last(last));
    }
}

impl<J, O> Pool<J, O> {
    /// Threads running (those that started).
    pub(crate) fn threads(&self) -> usize {
        self.threads.len()
    }

    /// Jobs submitted with [`Pool::submit`] whose outputs are not all taken yet.
    pub(crate) fn in_flight(&self) -> usize {
        match &self.order {
            Order::Here(queue) => queue.len() + usize::from(self.current.is_some()),
            Order::Elsewhere(_) => 0,
        }
    }

    /// Whether [`Pool::submit`] may add a job: fewer than [`Limits::ahead`] are in flight.
    pub(crate) fn has_room(&self) -> bool {
        self.in_flight() < self.limits.ahead
    }

    /// Queues `job`, never waiting (the caller keeps to [`Pool::has_room`]); gives it back if no
    /// thread is left to run it, or the pool is fed by a [`Submitter`].
    pub(crate) fn submit(&mut self, job: J) -> Result<(), J> {
        let Order::Here(queue) = &mut self.order else { return Err(job) };
        let (out, outputs) = mpsc::sync_channel(self.limits.per_job);
        match self.jobs.send(Message::Job(job, out)) {
            Ok(()) => {
                queue.push_back(outputs);
                Ok(())
            }
            Err(mpsc::SendError(Message::Job(job, _))) => Err(job),
            Err(mpsc::SendError(Message::Stop)) => unreachable!("a job was sent"),
        }
    }

    /// The next output, in job order, waiting for it. `None` when no job is in flight (fed by a
    /// [`Submitter`]: once it is dropped and every output is taken); `Some(Err(Lost))` for a job
    /// that ended without its last output.
    pub(crate) fn take(&mut self) -> Option<Result<O, Lost>> {
        self.receive(true)
    }

    /// [`Pool::take`] if the next output is ready now; `None` if not (or no job is in flight).
    pub(crate) fn try_take(&mut self) -> Option<Result<O, Lost>> {
        self.receive(false)
    }

    fn receive(&mut self, wait: bool) -> Option<Result<O, Lost>> {
        if self.current.is_none() {
            let next = match &mut self.order {
                Order::Here(queue) => queue.pop_front(),
                Order::Elsewhere(order) => {
                    let order = order.as_ref()?;
                    if wait {
                        order.recv().ok()
                    } else {
                        order.try_recv().ok()
                    }
                }
            };
            self.current = Some(next?);
        }
        let current = self.current.as_ref()?;
        let received = if wait {
            current.recv().ok()
        } else {
            match current.try_recv() {
                Ok(output) => Some(output),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => None,
            }
        };
        match received {
            Some(Output::More(output)) => Some(Ok(output)),
            Some(Output::Last(output)) => {
                self.current = None;
                Some(Ok(output))
            }
            None => {
                self.current = None;
                Some(Err(Lost))
            }
        }
    }
}

impl<J, O> Submitter<J, O> {
    /// Queues `job`, waiting while [`Limits::ahead`] jobs are in flight. Fails when the pool is
    /// gone (dropped, or every thread ended): the job may or may not have run.
    pub(crate) fn submit(&self, job: J) -> Result<(), ()> {
        let (out, outputs) = mpsc::sync_channel(self.per_job);
        // The job first, as a pool fed on its own thread does: it is worked on while this
        // thread waits for room.
        self.jobs.send(Message::Job(job, out)).map_err(|_| ())?;
        self.order.send(outputs).map_err(|_| ())
    }
}

impl<J, O> Drop for Pool<J, O> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Closing every output channel stops the jobs whose threads wait to hand an output over
        // (and a submitter waiting for room).
        self.current = None;
        match &mut self.order {
            Order::Here(queue) => queue.clear(),
            Order::Elsewhere(order) => *order = None,
        }
        // Every thread ends at its next look at the queue: queued jobs are skipped (see `run`).
        for _ in &self.threads {
            let _ = self.jobs.send(Message::Stop);
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::{Duration, Instant};

    use super::*;

    fn limits(threads: usize, ahead: usize, per_job: usize) -> Limits {
        Limits { threads, ahead, per_job }
    }

    /// A short, uneven pause: later jobs often finish first.
    fn jitter(n: u64) {
        std::thread::sleep(Duration::from_micros(n * 7919 % 500));
    }

    #[test]
    fn outputs_come_back_in_job_order() {
        let mut pool = Pool::start(
            limits(4, 8, 1),
            |i| format!("test-{i}"),
            || (),
            |_, n: u64, _| {
                jitter(n);
                n * 2
            },
        )
        .unwrap();
        let (mut next, mut got) = (0, Vec::new());
        while got.len() < 200 {
            while next < 200 && pool.has_room() {
                pool.submit(next).unwrap();
                next += 1;
            }
            got.push(pool.take().unwrap().unwrap());
        }
        assert_eq!(got, (0..200).map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(pool.take(), None);
    }

    #[test]
    fn streamed_outputs_of_each_job_stay_together_and_in_order() {
        let mut pool = Pool::start(
            limits(3, 4, 2),
            |i| format!("test-{i}"),
            || (),
            |_, n: u64, emit| {
                for k in 0..n % 5 {
                    jitter(n + k);
                    if !emit.send((n, k)) {
                        break;
                    }
                }
                (n, 99)
            },
        )
        .unwrap();
        let (mut next, mut got, mut expected) = (0, Vec::new(), Vec::new());
        for n in 0..60 {
            expected.extend((0..n % 5).map(|k| (n, k)));
            expected.push((n, 99));
        }
        while got.len() < expected.len() {
            while next < 60 && pool.has_room() {
                pool.submit(next).unwrap();
                next += 1;
            }
            got.push(pool.take().unwrap().unwrap());
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn no_more_than_ahead_jobs_run_while_outputs_wait() {
        let started = Arc::new(AtomicUsize::new(0));
        let counter = started.clone();
        let mut pool = Pool::start(
            limits(4, 3, 1),
            |i| format!("test-{i}"),
            || (),
            move |_, n: u64, _| {
                counter.fetch_add(1, Ordering::SeqCst);
                n
            },
        )
        .unwrap();
        for n in 0..3 {
            pool.submit(n).unwrap();
        }
        assert!(!pool.has_room());
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(started.load(Ordering::SeqCst), 3);
        assert_eq!(pool.take(), Some(Ok(0)));
        assert!(pool.has_room());
    }

    #[test]
    fn a_job_that_panics_is_lost_and_the_others_go_on() {
        let mut pool = Pool::start(
            limits(2, 4, 1),
            |i| format!("test-{i}"),
            || (),
            |_, n: u64, _| {
                assert_ne!(n, 1, "job 1 fails (this panic is expected)");
                n
            },
        )
        .unwrap();
        for n in 0..3 {
            pool.submit(n).unwrap();
        }
        assert_eq!(pool.take(), Some(Ok(0)));
        assert_eq!(pool.take(), Some(Err(Lost)));
        assert_eq!(pool.take(), Some(Ok(2)));
    }

    #[test]
    fn a_job_is_given_back_when_no_thread_is_left() {
        let mut pool = Pool::start(
            limits(1, 4, 1),
            |i| format!("test-{i}"),
            || (),
            |_, _: u64, _| -> u64 { panic!("(expected)") },
        )
        .unwrap();
        pool.submit(0).unwrap();
        assert_eq!(pool.take(), Some(Err(Lost)));
        // The only thread is gone with its job.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.submit(1).is_ok() {
            assert_eq!(pool.take(), Some(Err(Lost)));
            assert!(Instant::now() < deadline);
        }
    }

    #[test]
    fn dropping_the_pool_stops_waiting_jobs_and_joins_its_threads() {
        let ended = Arc::new(AtomicUsize::new(0));
        struct Ends(Arc<AtomicUsize>);
        impl Drop for Ends {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let counter = ended.clone();
        let mut pool = Pool::start(
            limits(2, 4, 1),
            |i| format!("test-{i}"),
            move || Ends(counter.clone()),
            |_, _: u64, emit| {
                // Streams forever unless the pool goes away.
                while emit.send(0) {}
                1
            },
        )
        .unwrap();
        for n in 0..4 {
            pool.submit(n).unwrap();
        }
        assert_eq!(pool.take(), Some(Ok(0)));
        let start = Instant::now();
        drop(pool);
        assert!(start.elapsed() < Duration::from_secs(2));
        // Both threads have ended (and dropped their state).
        assert_eq!(ended.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_pool_fed_from_another_thread_ends_with_its_submitter() {
        let (mut pool, submitter) = Pool::with_submitter(
            limits(3, 2, 1),
            |i| format!("test-{i}"),
            || (),
            |_, n: u64, _| {
                jitter(n);
                n + 1
            },
        )
        .unwrap();
        let feeder = std::thread::spawn(move || {
            for n in 0..100 {
                submitter.submit(n).unwrap();
            }
        });
        let got: Vec<u64> = std::iter::from_fn(|| pool.take()).map(|r| r.unwrap()).collect();
        assert_eq!(got, (1..=100).collect::<Vec<_>>());
        feeder.join().unwrap();
    }

    #[test]
    fn a_submitter_waiting_for_room_fails_once_the_pool_is_dropped() {
        let (pool, submitter) =
            Pool::with_submitter(limits(1, 1, 1), |i| format!("test-{i}"), || (), |_, n: u64, _| n).unwrap();
        let feeder = std::thread::spawn(move || (0..).take_while(|&n| submitter.submit(n).is_ok()).count());
        std::thread::sleep(Duration::from_millis(50));
        drop(pool);
        // One job in flight, one queued for the thread and one the submitter waits to queue.
        assert!(feeder.join().unwrap() <= 3);
    }
}
