//! `canlogger repl` as a user runs it: scripts piped in (real processes on a private
//! udp_multicast port each, asserting on stdout, stderr and exit codes), and the terminal in a
//! tmux pane — frames above the prompt while a line is half typed, history, Tab completion,
//! Ctrl-C, SIGTERM — read back with capture-pane as a person would see it.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn canlogger(port: &str) -> Command {
    let mut c = common::tool(common::canlogger());
    c.args(["--port", port]);
    c
}

/// Run `canlogger repl ARGS` with `script` on its standard input.
fn repl(port: &str, args: &[&str], script: &str) -> Output {
    let mut child = canlogger(port)
        .arg("repl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn canlogger repl");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    wait_output(child, Duration::from_secs(20))
}

/// A repl reading a script, its output still being read.
struct Repl {
    child: Child,
    out: BufReader<ChildStdout>,
    err: BufReader<ChildStderr>,
}

/// Start `canlogger -v repl ARGS` reading `script`, once it has opened the bus and taken the
/// script (nothing sent after this returns is missed): the script is preceded by `filter`,
/// whose answer tells that the lines have arrived.
fn start_repl(port: &str, args: &[&str], script: &str) -> Repl {
    let mut cmd = canlogger(port);
    cmd.arg("-v").arg("repl").args(args).stdin(Stdio::piped());
    let (mut child, err) = common::spawn_opened(&mut cmd, Stdio::piped());
    child.stdin.take().unwrap().write_all(format!("filter\n{script}").as_bytes()).unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with("filter: "), "the repl did not start its script: {line:?}");
    Repl { child, out, err }
}

impl Repl {
    /// Exit status, the rest of stdout and of stderr, once it has exited.
    fn finish(mut self) -> (Option<i32>, String, String) {
        let status = wait_exit(&mut self.child, Duration::from_secs(20));
        let (mut out, mut err) = (String::new(), String::new());
        self.out.read_to_string(&mut out).unwrap();
        self.err.read_to_string(&mut err).unwrap();
        (status.code(), out, err)
    }
}

/// Start `canlogger -v ARGS` (a watcher or a waiter) once it has opened the bus.
fn start(port: &str, args: &[&str]) -> (Child, BufReader<ChildStderr>) {
    common::spawn_opened(canlogger(port).arg("-v").args(args), Stdio::piped())
}

fn send(port: &str, frames: &[&str]) {
    let out = canlogger(port).arg("send").args(frames).output().unwrap();
    assert!(out.status.success(), "send {frames:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let end = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("process did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The process's output once it has exited, killing it after `within`.
fn wait_output(mut child: Child, within: Duration) -> Output {
    wait_exit(&mut child, within);
    child.wait_with_output().unwrap()
}

/// The rest of a started watcher's or waiter's output, once it has exited.
fn finish(child: Child, mut err: BufReader<ChildStderr>) -> (Option<i32>, String, String) {
    let out = wait_output(child, Duration::from_secs(20));
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), rest)
}

/// The frames of candump -L lines (`(time) channel frame`).
fn frames(log: &str) -> Vec<&str> {
    log.lines().filter_map(|l| l.split(' ').nth(2)).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Scripts
// ---------------------------------------------------------------------------------------------

#[test]
fn a_piped_send_reaches_canlogger_wait_and_watch_in_both_syntaxes() {
    let p = common::free_port();
    let (waiter, waiter_err) = start(&p, &["wait", "--id", "7DF", "--format", "log", "--timeout", "10s"]);
    let (watcher, watcher_err) = start(&p, &["watch", "--format", "log", "-n", "4", "-T", "10s"]);
    let out = repl(&p, &[], "send 123#1122 1F334455#R\nsend 0x7DF 02 01 0C\nsend 7E0 \"02 10 03\" ext\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "a script's sends print nothing");
    let (code, printed, _) = finish(waiter, waiter_err);
    assert_eq!((code, frames(&printed)), (Some(0), vec!["7DF#02010C"]));
    let (code, printed, _) = finish(watcher, watcher_err);
    assert_eq!(code, Some(0));
    assert_eq!(frames(&printed), ["123#1122", "1F334455#R", "7DF#02010C", "000007E0#021003"]);
}

#[test]
fn wait_exits_0_with_the_matching_frame_and_1_on_timeout() {
    let p = common::free_port();
    let running = start_repl(&p, &["--format", "log"], "wait 7E8 03 10s\n");
    send(&p, &["7E0#0201", "7E8#0441", "7E8#03410C1A", "7E8#0342"]);
    let (code, out, rest) = running.finish();
    assert_eq!(code, Some(0), "{rest}");
    assert_eq!(frames(&out), ["7E8#03410C1A"], "only the frame that ended the wait: {out}");

    let t0 = Instant::now();
    let out = repl(&p, &[], "wait 7E8 300ms\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(text(&out.stderr), "canlogger: line 1: wait: no frame matching 7E8 within 300ms\n");
}

#[test]
fn the_exit_status_is_the_last_commands() {
    let p = common::free_port();
    let status = |script: &str| repl(&p, &[], script).status.code();
    assert_eq!(status("wait 7E8 100ms\nhelp\n"), Some(0));
    assert_eq!(status("help\nfrob\n"), Some(2));
    assert_eq!(status("frob\nhelp\n"), Some(0));
    assert_eq!(status("wait 7E8 100ms\n\n# comments and blank lines are no commands\n"), Some(1));
    assert_eq!(status(""), Some(0));
    let out = repl(&p, &[], "wait 7E8 100ms\nquit\nhelp\n");
    assert_eq!(out.status.code(), Some(1), "quit keeps the status");
    assert_eq!(text(&out.stdout), "", "nothing runs after quit");
}

#[test]
fn a_bad_command_is_explained_with_its_usage_and_the_script_goes_on() {
    let p = common::free_port();
    let out = repl(&p, &[], "frob 1\nsend 12G 11\nwait\non 7E8 03\non\n");
    assert_eq!(out.status.code(), Some(0), "the last command succeeded");
    assert_eq!(
        text(&out.stderr),
        "canlogger: line 1: unknown command 'frob' (type help for the commands)\n\
         canlogger: line 2: send: '12G' is not an identifier: write it in hex (7E8, 0x7E8, 18DAF110) or in decimal with 0n (0n2024)\n\
         canlogger: usage: send FRAME... | send ID [BYTES...] [ext|std] [rtr]\n\
         canlogger: line 3: wait: wait for what? give an id, e.g. wait 7E8 2s\n\
         canlogger: usage: wait ID|FILTER [D0 [D1]] [TIMEOUT]\n"
    );
    let listing = text(&out.stdout);
    assert!(listing.contains("#1   7E8 d0=03"), "{listing}");
}

#[test]
fn on_prints_only_the_frames_that_match() {
    let p = common::free_port();
    let running = start_repl(&p, &["--format", "log"], "on 123\non 7E8 03\nwait 7FF 10s\non\n");
    send(&p, &["124#01", "123#02", "7E8#0441", "7E8#0341", "00000123#03", "7FF#"]);
    let (code, out, rest) = running.finish();
    assert_eq!(code, Some(0), "{rest}");
    // 0x123 standard (not the extended 00000123), 7E8 starting with 03, and the frame the wait
    // was for; the listing counts what each match took.
    assert_eq!(
        frames(&out.lines().take(3).collect::<Vec<_>>().join("\n")),
        ["123#02", "7E8#0341", "7FF#"],
        "{out}"
    );
    assert!(out.contains("#1   123                          1 frame\n"), "{out}");
    assert!(out.contains("#2   7E8 d0=03                    1 frame\n"), "{out}");
}

#[test]
fn watch_prints_everything_through_its_filter_until_watch_off() {
    let p = common::free_port();
    let script = "watch on\nfilter 100:700\nwait 7FF 10s\nwatch off\nwait 7FE 10s\n";
    let running = start_repl(&p, &["--format", "log"], script);
    // Everything in one burst: the commands after each wait still see the frames after it.
    send(&p, &["123#01", "234#02", "150#03", "7FF#", "155#04", "7FE#"]);
    let (code, out, rest) = running.finish();
    assert_eq!(code, Some(0), "{rest}");
    assert_eq!(frames(&out), ["123#01", "150#03", "7FF#", "7FE#"], "{out}");
}

#[test]
fn frames_that_arrive_while_the_last_wait_runs_are_printed_before_the_script_ends() {
    let p = common::free_port();
    let running = start_repl(&p, &["--watch", "--format", "json"], "wait 7FF 10s\n");
    send(&p, &["100#01", "200#02", "7FF#"]);
    let (code, out, rest) = running.finish();
    assert_eq!(code, Some(0), "{rest}");
    let ids: Vec<&str> = out
        .lines()
        .map(|l| l.split("\"arbitration_id\":").nth(1).unwrap().split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["256", "512", "2047"], "{out}");
}

#[test]
fn stats_and_bus_tell_what_is_open_and_what_was_seen() {
    let p = common::free_port();
    let running = start_repl(&p, &[], "wait 456 10s\nstats\nbus\n");
    send(&p, &["123#01", "123#02", "1F334455#03", "456#04"]);
    let (code, out, rest) = running.finish();
    assert_eq!(code, Some(0), "{rest}");
    assert!(out.contains(": 4 frames received ("), "{out}");
    assert!(
        out.contains("busiest ids (3 ids seen):\n       123  2\n       456  1\n  1F334455  1\n"),
        "{out}"
    );
    assert!(out.contains(&format!("bus: udp_multicast 239.74.163.2:{p} ")), "{out}");
    assert!(out.contains("state: error-active\n"), "{out}");
    assert!(out.contains("bus counters: 4 received, 0 sent,"), "{out}");
}

#[test]
fn sigterm_cuts_a_piped_wait_short_with_130() {
    let p = common::free_port();
    let running = start_repl(&p, &[], "wait 7E8 0s\nhelp\n");
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: signalling the child we spawned, by its pid.
    unsafe { libc::kill(running.child.id() as i32, libc::SIGTERM) };
    let (code, out, rest) = running.finish();
    assert_eq!(code, Some(130));
    assert!(rest.ends_with("canlogger: line 2: wait: interrupted\n"), "{rest}");
    assert_eq!(out, "", "help never ran");
}

/// The README's example, as written: one repl asks, another answers.
#[test]
fn the_readmes_pipe_example_works_as_written() {
    let p = common::free_port();
    let ecu = start_repl(&p, &[], "wait 7DF 10s\nsend 7E8#0441\n");
    let bin = common::canlogger().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = common::tool("sh")
        .env("PATH", path)
        .args([
            "-c",
            &format!("printf 'send 7DF#0201\\nwait 7E8 2s\\n' | canlogger --port {p} repl && echo answered"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("7E8") && shown.contains("04 41") && shown.ends_with("answered\n"), "{shown}");
    assert_eq!(ecu.finish().0, Some(0));
}

// ---------------------------------------------------------------------------------------------
// The terminal, in tmux
// ---------------------------------------------------------------------------------------------

/// A tmux server of the test's own (its socket in a temporary folder, no user configuration)
/// with one 120x40 pane running `canlogger repl`, HOME and XDG_STATE_HOME in the folder.
struct Pane {
    tmux: PathBuf,
    dir: tempfile::TempDir,
    port: String,
}

/// How long a pane may take to show something on a loaded machine.
const SHOWN_WITHIN: Duration = Duration::from_secs(15);

impl Pane {
    /// `None` (skipped, said why) without tmux on a developer's machine; fails in CI.
    fn start(args: &str) -> Option<Pane> {
        let tmux = common::require("tmux (Debian package tmux)", common::program("tmux"))?;
        let dir = tempfile::tempdir().unwrap();
        let port = common::free_port();
        let pane = Pane { tmux, dir, port };
        let home = pane.dir.path();
        // The repl writes its pid (sh's, which it becomes) for the signal tests, and the shell
        // says how it ended, then keeps the pane open for capture-pane.
        let command = format!(
            "sh -c 'echo $$ > {home}/pid; exec env -u CAN_INTERFACE -u CAN_CHANNEL -u CAN_BITRATE \
             HOME={home} XDG_STATE_HOME={home}/state {bin} --port {port} repl {args}'; \
             echo EXIT=$?; stty -a | tr -s ' ;\\n' ' '; echo; sleep 600",
            home = home.display(),
            bin = common::canlogger().display(),
            port = pane.port,
        );
        let status = pane
            .tmux()
            .args(["new-session", "-d", "-s", "repl", "-x", "120", "-y", "40", &command])
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        pane.shows("the banner and the prompt", |s| {
            s.contains("help lists the commands") && s.contains("canlogger>")
        });
        Some(pane)
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new(&self.tmux);
        c.arg("-S").arg(self.dir.path().join("tmux.sock")).args(["-f", "/dev/null"]);
        c
    }

    /// Type text literally.
    fn type_text(&self, text: &str) {
        assert!(self.tmux().args(["send-keys", "-t", "repl", "-l", text]).status().unwrap().success());
    }

    /// Press keys by tmux's names: Enter, Tab, Up, C-c, C-d, C-u.
    fn press(&self, keys: &[&str]) {
        assert!(self.tmux().args(["send-keys", "-t", "repl"]).args(keys).status().unwrap().success());
    }

    fn screen(&self) -> String {
        let out = self.tmux().args(["capture-pane", "-p", "-t", "repl"]).output().unwrap();
        text(&out.stdout)
    }

    /// The screen once `test` holds, polling; fails naming `what` and showing the screen.
    fn shows(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + SHOWN_WITHIN;
        loop {
            let screen = self.screen();
            if test(&screen) {
                return screen;
            }
            assert!(Instant::now() < end, "the pane never showed {what}:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last line with anything on it: where the prompt is.
    fn last_line(screen: &str) -> &str {
        screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
    }

    /// Wait until the prompt line reads exactly `line`.
    fn prompt_reads(&self, line: &str) -> String {
        self.shows(&format!("the prompt line {line:?}"), |s| Pane::last_line(s).trim_end() == line)
    }

    fn exit_status(&self) -> String {
        let screen = self.shows("the repl's exit", |s| s.contains("EXIT="));
        let status = screen.split("EXIT=").nth(1).unwrap().split_whitespace().next().unwrap();
        status.to_string()
    }

    fn history(&self) -> PathBuf {
        self.dir.path().join("state/cankit/repl_history")
    }

    fn pid(&self) -> i32 {
        std::fs::read_to_string(self.dir.path().join("pid")).unwrap().trim().parse().unwrap()
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").stderr(Stdio::null()).status();
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn terminal_prints_frames_above_the_prompt_without_breaking_the_line_being_typed() {
    let Some(pane) = Pane::start("") else { return };
    let p = pane.port.clone();
    let (waiter, waiter_err) = start(&p, &["wait", "--id", "7E0", "--format", "log", "--timeout", "20s"]);
    pane.type_text("watch on");
    pane.press(&["Enter"]);
    pane.shows("watch's confirmation", |s| s.lines().any(|l| l.trim_end() == "watch on"));
    pane.type_text("send 7E0#02");
    pane.prompt_reads("canlogger> send 7E0#02");
    send(&p, &["123#11", "1F334455#2233"]);
    let screen = pane.shows("both frames", |s| s.contains("1F334455"));
    let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    let n = lines.len();
    assert!(lines[n - 3].contains("Rx       123       [ 1]  11"), "{screen}");
    assert!(lines[n - 2].contains("Rx  1F334455       [ 2]  22 33"), "{screen}");
    assert_eq!(lines[n - 1].trim_end(), "canlogger> send 7E0#02", "the half-typed line is intact:\n{screen}");
    // Finishing the line sends what was typed before and after the frames arrived.
    pane.type_text("01");
    pane.press(&["Enter"]);
    let (code, out, _) = finish(waiter, waiter_err);
    assert_eq!((code, frames(&out)), (Some(0), vec!["7E0#0201"]));
    pane.prompt_reads("canlogger>");
    pane.press(&["C-d"]);
    assert_eq!(pane.exit_status(), "0");
}

#[test]
fn terminal_completes_matches_waits_and_recalls_the_history_it_saves() {
    let Some(pane) = Pane::start("") else { return };
    let p = pane.port.clone();
    // Tab on an ambiguous start lists the commands it may become.
    pane.type_text("wa");
    pane.press(&["Tab"]);
    let screen = pane.shows("the completions of wa", |s| s.lines().any(|l| l.trim_end() == "wait   watch"));
    assert_eq!(Pane::last_line(&screen).trim_end(), "canlogger> wa", "{screen}");
    pane.type_text("t");
    pane.press(&["Tab"]);
    pane.prompt_reads("canlogger> watch");
    pane.press(&["C-u"]);

    // A match prints what it takes, and nothing else (watch is off).
    pane.type_text("on 123");
    pane.press(&["Enter"]);
    pane.shows("the match", |s| s.lines().any(|l| l.trim_end() == "on #1: 123"));
    pane.type_text("wait 1FF 10s");
    pane.press(&["Enter"]);
    // A wait at the terminal is for a frame after Enter; no prompt while it runs.
    pane.shows("the wait running", |s| Pane::last_line(s).trim_end() == "canlogger> wait 1FF 10s");
    send(&p, &["124#01", "123#02", "125#03", "1FF#04"]);
    let screen = pane.shows("the frame the wait was for", |s| s.contains("1FF       [ 1]  04"));
    assert!(screen.contains("123       [ 1]  02"), "{screen}");
    assert!(!screen.contains("124  ") && !screen.contains("125  "), "{screen}");
    pane.prompt_reads("canlogger>");

    // A wait that times out says so.
    pane.type_text("wait 7E8 500ms");
    pane.press(&["Enter"]);
    pane.shows("the timeout", |s| s.contains("wait: no frame matching 7E8 within 500ms"));
    pane.prompt_reads("canlogger>");

    // Up recalls the commands in turn, newest first.
    pane.press(&["Up"]);
    pane.prompt_reads("canlogger> wait 7E8 500ms");
    pane.press(&["Up"]);
    pane.prompt_reads("canlogger> wait 1FF 10s");
    pane.press(&["C-u", "C-d"]);
    assert_eq!(pane.exit_status(), "1", "the last command, the second wait, timed out");
    let history = read(&pane.history());
    assert_eq!(history.lines().skip(1).collect::<Vec<_>>(), ["on 123", "wait 1FF 10s", "wait 7E8 500ms"]);
}

#[test]
fn terminal_history_is_recalled_by_the_next_repl_and_one_that_cannot_be_kept_is_a_warning() {
    let Some(first) = Pane::start("") else { return };
    first.type_text("send 12G 11");
    first.press(&["Enter"]);
    let screen = first.shows("the explanation", |s| s.contains("usage: send FRAME..."));
    assert!(screen.contains("send: '12G' is not an identifier"), "{screen}");
    first.prompt_reads("canlogger>");
    first.press(&["C-d"]);
    assert_eq!(first.exit_status(), "2", "the last command was not a valid one");

    let second = Pane::start(&format!("--history {}", first.history().display())).unwrap();
    second.press(&["Up"]);
    second.prompt_reads("canlogger> send 12G 11");
    second.press(&["C-u", "C-d"]);
    assert_eq!(second.exit_status(), "0");

    let third = Pane::start("--history /dev/null/repl_history").unwrap();
    third.shows("the warning", |s| s.contains("warning: history not kept: cannot create /dev/null"));
    third.press(&["C-d"]);
    assert_eq!(third.exit_status(), "0", "a history that cannot be kept is only a warning");
}

#[test]
fn terminal_ctrl_c_cancels_a_wait_and_twice_on_an_empty_line_leaves() {
    let Some(pane) = Pane::start("") else { return };
    pane.type_text("wait 7E8 0s");
    pane.press(&["Enter"]);
    pane.shows("the wait running", |s| Pane::last_line(s).trim_end() == "canlogger> wait 7E8 0s");
    pane.press(&["C-c"]);
    pane.shows("the wait cancelled", |s| s.lines().any(|l| l.trim_end() == "wait: interrupted"));
    pane.prompt_reads("canlogger>");
    // Ctrl-C abandons a line being typed ...
    pane.type_text("send 123#11");
    pane.press(&["C-c"]);
    pane.shows("a fresh prompt", |s| {
        s.lines().any(|l| l.trim_end() == "canlogger> send 123#11")
            && Pane::last_line(s).trim_end() == "canlogger>"
    });
    // ... and on an empty line it tells how to leave, and leaves when pressed again.
    pane.press(&["C-c"]);
    pane.shows("the hint", |s| s.contains("(to leave, press Ctrl-C again or Ctrl-D, or type quit)"));
    pane.press(&["C-c"]);
    assert_eq!(pane.exit_status(), "130", "the last command, the wait, was interrupted");
}

#[test]
fn terminal_sigterm_while_a_line_is_typed_ends_the_repl_and_restores_the_terminal() {
    let Some(pane) = Pane::start("") else { return };
    pane.type_text("send 12");
    pane.prompt_reads("canlogger> send 12");
    // SAFETY: signalling the repl this test started, by the pid it wrote.
    unsafe { libc::kill(pane.pid(), libc::SIGTERM) };
    assert_eq!(pane.exit_status(), "0");
    let screen = pane.shows("the terminal settings after the repl", |s| s.contains(" icanon "));
    let settings = screen.split("EXIT=").nth(1).unwrap();
    assert!(settings.contains(" echo ") && !settings.contains("-icanon"), "raw mode left behind:\n{screen}");
}
