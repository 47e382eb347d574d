//! `caneth`: see `cankit::cli::caneth`.
fn main() -> std::process::ExitCode {
    cankit::cli::caneth::main()
}
