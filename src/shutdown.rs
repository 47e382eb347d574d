//! One way to stop everything: a [`Shutdown`] handle shared by every task and thread of a tool.
//!
//! It wraps tokio-util's `CancellationToken`, the mechanism tokio's ecosystem uses: async code
//! awaits [`Shutdown::triggered`] in its `select!`, synchronous loops (file conversion, the replay
//! clock) poll [`Shutdown::is_triggered`], which is one atomic load. The command-line tools wire
//! SIGINT and SIGTERM to it once ([`Shutdown::on_signals`]); a server, a test or a library user
//! triggers it by hand. Whoever stops because of it finishes its output properly (a log file gets
//! its trailer, a replay prints its summary) — shutting down is never an error by itself.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

/// A cloneable stop signal; every clone sees the same trigger.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    token: CancellationToken,
    /// Set before the token is cancelled: the token's own `is_cancelled` takes a lock, and the
    /// replay clock asks between every sleep.
    triggered: Arc<AtomicBool>,
}

impl Shutdown {
    /// A handle that nothing has triggered yet.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Ask everything holding a clone to stop.
    pub fn trigger(&self) {
        self.triggered.store(true, Ordering::Release);
        self.token.cancel();
    }

    /// Whether [`Shutdown::trigger`] was called (one atomic load: for polling in synchronous
    /// loops).
    pub fn is_triggered(&self) -> bool {
        self.triggered.load(Ordering::Acquire)
    }

    /// Resolves once the shutdown is triggered (at once if it already was).
    pub async fn triggered(&self) {
        self.token.cancelled().await
    }

    /// Trigger this shutdown on SIGINT (Ctrl-C) or SIGTERM. Must be called inside a tokio runtime;
    /// the handlers are installed before this returns, so a signal that arrives right after
    /// start-up still ends the tool cleanly instead of killing it.
    pub fn on_signals(&self) -> std::io::Result<()> {
        self.on(true)
    }

    /// Trigger this shutdown on SIGTERM only: Ctrl-C is left to an interactive console that
    /// handles it itself (the repl cancels a running command with it). As [`Shutdown::on_signals`]
    /// otherwise.
    pub fn on_terminate(&self) -> std::io::Result<()> {
        self.on(false)
    }

    fn on(&self, interrupt: bool) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = if interrupt { Some(signal(SignalKind::interrupt())?) } else { None };
        let mut terminate = signal(SignalKind::terminate())?;
        let shutdown = self.clone();
        tokio::spawn(async move {
            let interrupted = async {
                match interrupt.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = interrupted => {}
                _ = terminate.recv() => {}
            }
            shutdown.trigger();
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_clone_sees_the_trigger_from_any_thread() {
        let shutdown = Shutdown::new();
        let seen = shutdown.clone();
        assert!(!seen.is_triggered());
        let from_thread = shutdown.clone();
        std::thread::spawn(move || from_thread.trigger()).join().unwrap();
        seen.triggered().await;
        assert!(seen.is_triggered() && shutdown.is_triggered());
    }
}
