//! The checked-in completions and man pages match the clap definitions.

mod common;

use std::path::Path;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let fresh = tempfile::tempdir().unwrap();
    cankit::cli::docs::generate_all(fresh.path()).unwrap();
    for sub in ["completions", "man"] {
        let want = files(&fresh.path().join(sub));
        let have = files(&common::root().join(sub));
        let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&have), names(&want), "{sub}/ is stale: run tools/gen-docs.sh");
        for ((name, a), (_, b)) in have.iter().zip(&want) {
            assert!(a == b, "{sub}/{name} is stale: run tools/gen-docs.sh");
        }
    }
}

#[test]
fn every_binary_and_subcommand_has_a_man_page() {
    let man = common::root().join("man");
    for page in [
        "canlogger.1",
        "canlogger-watch.1",
        "canlogger-send.1",
        "canlogger-wait.1",
        "canlogger-repl.1",
        "canlogger-convert.1",
        "canlogger-info.1",
        "canlogger-link.1",
        "canlogger-link-up.1",
        "canlogger-link-down.1",
        "canlogger-link-show.1",
        "canplayer.1",
    ] {
        assert!(man.join(page).exists(), "man/{page} missing");
    }
}
