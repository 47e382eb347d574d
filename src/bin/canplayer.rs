//! `canplayer`: see `cankit::cli::canplayer`.
fn main() -> std::process::ExitCode {
    cankit::cli::canplayer::main()
}
