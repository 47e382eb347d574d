//! Writes `completions/` and `man/` below the folder given (default: the current one).
//! Run through `tools/gen-docs.sh`.
fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    cankit::cli::docs::generate_all(std::path::Path::new(&dir))
}
