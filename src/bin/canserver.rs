//! `canserver`: see `cankit::cli::canserver`.
fn main() -> std::process::ExitCode {
    cankit::cli::canserver::main()
}
