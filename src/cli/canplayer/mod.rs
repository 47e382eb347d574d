//! `canplayer`: replay log files onto one or many buses on schedule.

use std::process::ExitCode;

/// Entry point of the `canplayer` binary.
pub fn main() -> ExitCode {
    ExitCode::from(super::exit::FAILURE)
}
