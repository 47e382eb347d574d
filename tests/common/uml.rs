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
    // Debian's kernel, or the one tests/uml/ensure-kernel.sh prepared where that one cannot boot.
    let kernel = std::env::var_os("CANKIT_UML_KERNEL").map(PathBuf::from);
    let complete = kernel.map_or_else(|| super::program("linux.uml").is_some(), |k| k.exists())
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

/// Shell functions every CLI script starts with. `wait_for_sockets DEV N` waits until N sockets
/// receive on DEV (counted by their distinct entries in the kernel's receive lists), so no frame
/// is sent before every listener is bound; `show NAME FILE` prints a section for [`sections`].
pub const PRELUDE: &str = r#"
set -u
sockets() { awk -v dev="$1" '$1 == dev { print $5 }' /proc/net/can/rcvlist_* | sort -u | wc -l; }
wait_for_sockets() {
  tries=0
  while [ "$(sockets "$1")" -lt "$2" ]; do
    tries=$((tries + 1))
    if [ $tries -gt 250 ]; then echo "only $(sockets "$1") of $2 listeners on $1" >&2; exit 98; fi
    sleep 0.02
  done
}
show() { echo "=== $1"; cat "$2"; }
"#;

/// A guest script: the prelude, `$CANLOGGER` set to the built binary, then `body`.
pub fn cli_script(body: &str) -> String {
    format!("{PRELUDE}\nCANLOGGER='{}'\n{body}", super::canlogger().display())
}

/// The `show`n sections of a guest's stdout: name -> lines.
pub fn sections(stdout: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut map: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut current: Option<String> = None;
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            current = Some(name.to_string());
            map.entry(name.to_string()).or_default();
        } else if let Some(lines) = current.as_ref().and_then(|name| map.get_mut(name)) {
            lines.push(line.to_string());
        }
    }
    map
}

impl GuestRun {
    /// Everything the guest printed, for assertion messages.
    pub fn context(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }

    /// A `show`n section's lines, without a trailing CR (gateway replies end with CR LF).
    pub fn lines(&self, name: &str) -> Vec<String> {
        let all = sections(&self.stdout);
        let lines = all.get(name).unwrap_or_else(|| panic!("no section {name}:\n{}", self.context()));
        lines.iter().map(|l| l.trim_end_matches('\r').to_string()).collect()
    }

    /// A section of `candump -L` lines as `ID#DATA`, keeping the ids `keep` accepts.
    pub fn frames(&self, name: &str, keep: impl Fn(u32) -> bool) -> Vec<String> {
        self.lines(name)
            .iter()
            .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
            .filter(|f| {
                f.split('#').next().and_then(|id| u32::from_str_radix(id, 16).ok()).is_some_and(&keep)
            })
            .collect()
    }
}

/// Is `want` an ordered subsequence of `have`?
pub fn in_order<T: AsRef<str>>(have: &[String], want: &[T]) -> bool {
    let mut rest = have.iter();
    want.iter().all(|w| rest.any(|h| h == w.as_ref()))
}
