//! Running shell commands inside a User-Mode Linux guest (`tests/uml/run.sh`) with a real
//! kernel CAN stack: vcan0 and vcan1 up with MTU 72, can-utils and the built binaries visible.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What a guest run printed and returned.
pub struct GuestRun {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl GuestRun {
    pub fn assert_success(&self) {
        assert_eq!(
            self.status,
            Some(0),
            "guest failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
    }
}

/// The harness, if everything it needs is installed.
pub fn uml_runner() -> Option<PathBuf> {
    let complete = super::program("linux.uml").is_some()
        && PathBuf::from("/bin/busybox").exists()
        && ["cansend", "candump", "cangen", "ip"].iter().all(|p| super::program(p).is_some());
    complete.then(|| super::root().join("tests/uml/run.sh"))
}

/// Run a shell script in a fresh guest (vcan0 and vcan1 up, MTU 72). `None` = skipped.
pub fn run_in_guest(script: &str) -> Option<GuestRun> {
    let runner = super::require(
        "User-Mode Linux with can-utils (apt-get install user-mode-linux busybox-static can-utils iproute2)",
        uml_runner(),
    )?;
    let mut command = Command::new(runner);
    command.args(["--timeout", "60"]);
    // The built binaries must be visible inside: the host root is, except a target dir under /tmp,
    // which the guest's own tmpfs hides. Sharing it makes it visible at the same path.
    for binary in [std::env::current_exe().expect("test binary path"), super::canlogger()] {
        if let Some(dir) = binary.parent().filter(|d| !d.starts_with(super::root())) {
            command.arg("--share").arg(dir);
        }
    }
    let output = command
        .args(["sh", "-c", script])
        .current_dir(super::root())
        .stdin(Stdio::null())
        .output()
        .expect("starting tests/uml/run.sh");
    Some(GuestRun {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}
