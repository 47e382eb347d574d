//! `canlogger convert` and `canlogger info` as users run them: exit codes, messages that name
//! the file and line, stdin/stdout, filters and time windows, gzip, and a clean end on SIGINT.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn canlogger() -> Command {
    let mut c = Command::new(common::canlogger());
    c.env("HOME", "/nonexistent");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run canlogger")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SAMPLE: &str = "(1700000000.000001) can0 123#0102\n\
                      (1700000000.500000) can1 18DAF110#R3\n\
                      (1700000001.000000) can0 123##5000102030405060708090A0B\n\
                      (1700000002.000000) can0 7E8#0441 T\n";

fn sample_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let p = dir.path().join("in.log");
    std::fs::write(&p, SAMPLE).unwrap();
    p
}

#[test]
fn candump_log_converts_to_gzip_and_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_file(&dir);
    let gz = dir.path().join("out.log.gz");
    let back = dir.path().join("back.log");
    let o = run(canlogger().arg("convert").arg(&input).arg(&gz));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("4 frames written"), "{}", stderr(&o));
    assert!(run(canlogger().arg("convert").arg(&gz).arg(&back)).status.success());
    assert_eq!(std::fs::read_to_string(back).unwrap(), SAMPLE);
}

#[test]
fn stdin_to_stdout_with_filter_channel_and_time_window() {
    let mut child = canlogger()
        .args([
            "convert",
            "--from",
            "log",
            "-",
            "-",
            "--to",
            "log",
            "-q",
            "--channel",
            "can0",
            "--filter",
            "100:700",
        ])
        .args(["--start", "0.5s", "--end", "1700000001.5"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(SAMPLE.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "(1700000001.000000) can0 123##5000102030405060708090A0B\n"
    );
}

#[test]
fn malformed_records_are_skipped_and_named_or_fatal_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.log");
    std::fs::write(&input, "(1.000000) can0 123#01\n(2.000000) can0 12#\n(3.000000) can0 124#02\n").unwrap();
    let out = dir.path().join("out.log");
    let o = run(canlogger().arg("convert").arg(&input).arg(&out));
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(err.contains(&format!("{}:line 2:", input.display())), "{err}");
    assert!(err.contains("1 malformed records skipped"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2);
    let o = run(canlogger().arg("convert").arg(&input).arg(&out).arg("--strict"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("line 2"));
}

#[test]
fn unknown_formats_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_file(&dir);
    let o = run(canlogger().arg("convert").arg(&input).arg(dir.path().join("out.xyz")));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot tell the format"), "{}", stderr(&o));
    let o = run(canlogger().args(["convert", "/nonexistent/in.log", "out.log"]));
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("/nonexistent/in.log"));
    let o = run(canlogger().args(["convert", "--to", "mf4", "a.log", "b"]));
    assert_eq!(o.status.code(), Some(2));
    let o = run(canlogger().arg("convert").arg(&input).arg(&input));
    assert_eq!(o.status.code(), Some(2), "refuses to overwrite its input");
}

#[test]
fn info_counts_kinds_ids_channels_and_time_span() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_file(&dir);
    let o = run(canlogger().arg("info").arg(&input));
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("frames:      4 (data 2, remote 1, FD 1, error 0)"), "{text}");
    assert!(text.contains("channels:    can0 (3), can1 (1)"), "{text}");
    assert!(text.contains("span:        1.999999 s"), "{text}");
    let o = run(canlogger().arg("info").arg("--json").arg(&input));
    let json = String::from_utf8(o.stdout).unwrap();
    assert!(json.starts_with("{\"file\":") && json.contains("\"total\":4"), "{json}");
    assert!(json.contains("{\"id\":\"123\",\"extended\":false,\"count\":2}"), "{json}");
}

#[test]
fn sigint_during_conversion_leaves_a_finished_file() {
    // Feed the input through a pipe so the signal surely lands mid-conversion: 100,000 lines, the
    // signal, then 10,000 more (the converter checks for it every 4,096 frames).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.log.gz");
    let mut child = canlogger()
        .args(["convert", "--from", "log", "-"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let lines = |from: u64, to: u64| {
        let mut text = String::new();
        for i in from..to {
            text.push_str(&format!(
                "({}.{:06}) can0 123#{:016X}\n",
                1_700_000_000 + i / 1000,
                (i % 1000) * 1000,
                i
            ));
        }
        text
    };
    stdin.write_all(lines(0, 100_000).as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // SAFETY: signalling the child we spawned, by its pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    // The converter may already have stopped reading; a closed pipe is fine here.
    let _ = stdin.write_all(lines(100_000, 110_000).as_bytes());
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    // The gzip stream is complete and every line in it is whole.
    let check = dir.path().join("check.log");
    let o = run(canlogger().arg("convert").arg(&out).arg(&check).arg("--strict"));
    assert!(o.status.success(), "{}", stderr(&o));
    let kept = std::fs::read_to_string(&check).unwrap().lines().count();
    assert!((100_000..110_000).contains(&kept), "{kept} frames kept");
}
