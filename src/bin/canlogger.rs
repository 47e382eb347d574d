//! `canlogger`: see `cankit::cli::canlogger`.
fn main() -> std::process::ExitCode {
    cankit::cli::canlogger::main()
}
