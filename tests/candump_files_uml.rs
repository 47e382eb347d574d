//! Files written by can-utils' `candump -l` on a real kernel CAN stack (inside User-Mode Linux)
//! are read by cankit exactly.

mod common;

use cankit::log::{open_reader, Record};
use cankit::text::push_frame;

#[test]
fn candump_l_files_are_read_frame_for_frame() {
    let dir = tempfile::tempdir_in(common::root().join("target")).unwrap();
    let frames =
        ["123#DEADBEEF", "00000123#11", "1F334455#R3", "7FF#", "123##1000102030405060708090A0B", "321##3AA"];
    let sends: String = frames.iter().map(|f| format!("cansend vcan0 '{f}'; ")).collect();
    let script = format!(
        "cd '{}' && candump -l vcan0 & P=$!; sleep 0.5; {sends} sleep 0.3; kill -INT $P; wait $P; ls",
        dir.path().display()
    );
    let Some(run) = common::uml::run_in_guest(&script) else { return };
    run.assert_success();
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("candump-"))
        .unwrap_or_else(|| panic!("candump -l wrote no file: {}", run.stdout));
    let reader = open_reader(&file, None, &Default::default()).unwrap();
    let mut got = Vec::new();
    for record in reader {
        let Record::Frame(f) = record.unwrap() else { panic!("unexpected event") };
        assert_eq!(f.channel.as_name(), Some("vcan0"));
        let mut text = Vec::new();
        push_frame(&mut text, &f);
        got.push(String::from_utf8(text).unwrap());
    }
    // cankit prints FD frames with the FDF bit (##5/##7), as this kernel's candump does.
    let want =
        ["123#DEADBEEF", "00000123#11", "1F334455#R3", "7FF#", "123##5000102030405060708090A0B", "321##7AA"];
    assert_eq!(got, want);
    // And the CLI agrees.
    let out = std::process::Command::new(common::canlogger())
        .arg("info")
        .arg("--json")
        .arg(&file)
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(
        json.contains("\"total\":6") && json.contains("\"fd\":2") && json.contains("\"remote\":1"),
        "{json}"
    );
}
