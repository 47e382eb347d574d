//! Shell completions and man pages, generated from the clap definitions of every binary so they
//! never drift from the real options. `tools/gen-docs.sh` writes them into `completions/` and
//! `man/`; a test regenerates them into a temporary folder and fails when the checked-in copies
//! are stale.

use std::io;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

/// Every binary's clap command, by binary name.
pub fn commands() -> Vec<clap::Command> {
    vec![
        super::canlogger::Cli::command(),
        super::canplayer::Cli::command(),
        super::canserver::Cli::command(),
        super::caneth::Cli::command(),
        super::canopen_node::Cli::command(),
    ]
}

/// Write completions for bash, zsh, fish, elvish and PowerShell into `dir/completions` and one
/// man page per binary and subcommand into `dir/man`.
pub fn generate_all(dir: &Path) -> io::Result<()> {
    let completions = dir.join("completions");
    let man = dir.join("man");
    std::fs::create_dir_all(&completions)?;
    std::fs::create_dir_all(&man)?;
    for mut cmd in commands() {
        // Completions build the command, which adds the `help` subcommand; man pages want none.
        let for_man = cmd.clone();
        let name = cmd.get_name().to_string();
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish, Shell::PowerShell] {
            clap_complete::generate_to(shell, &mut cmd, &name, &completions)?;
        }
        clap_mangen::generate_to(for_man, &man)?;
    }
    Ok(())
}
