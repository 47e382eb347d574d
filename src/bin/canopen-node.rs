//! `canopen-node`: see `cankit::cli::canopen_node`.
fn main() -> std::process::ExitCode {
    cankit::cli::canopen_node::main()
}
