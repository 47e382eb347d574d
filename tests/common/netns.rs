//! A private network namespace for tests whose peers cannot be kept on loopback by options
//! (python-can's udp_multicast always sends with TTL 1 on the default interface): it has only
//! `lo`, with a route for 224.0.0.0/4, and is deleted by a drop guard even when a test fails.
//! Needs root and `ip`.

use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A network namespace that exists as long as this value does.
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn create() -> Netns {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("cankit-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        run(&["ip", "netns", "add", &name]);
        // From here on the guard owns the namespace, so a failing setup step still removes it.
        let ns = Netns { name };
        ns.exec(&["ip", "link", "set", "lo", "up"]);
        ns.exec(&["ip", "route", "add", "224.0.0.0/4", "dev", "lo"]);
        ns
    }

    pub fn exec(&self, args: &[&str]) {
        let mut full = vec!["ip", "netns", "exec", &self.name];
        full.extend_from_slice(args);
        run(&full);
    }

    /// A command that runs `program` inside the namespace.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).arg(program);
        c
    }

    /// Run `f` on a thread that has entered this namespace.
    pub fn run_inside<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.name);
        std::thread::scope(|s| {
            s.spawn(|| {
                let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                // SAFETY: a valid namespace fd; setns affects only this thread, which ends with
                // the closure.
                let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
                assert_eq!(rc, 0, "setns {path}: {}", std::io::Error::last_os_error());
                f()
            })
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

fn run(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Root and `ip`, or `None` (skip/fail per `super::require`).
pub fn available() -> Option<()> {
    super::require("the `ip` program (iproute2)", super::program("ip"))?;
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    super::require("root (to create network namespaces)", root.then_some(()))
}
