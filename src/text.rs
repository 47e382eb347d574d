//! The can-utils text syntax, parsed and printed by one piece of code for every tool and format:
//! compact frames (`123#DEADBEEF`, `123##1..`, `123#R7`, `20000080#...`), candump `-L` log lines
//! (`(1700000000.123456) vcan0 123#DEADBEEF`) and permissive byte lists typed by humans
//! (`"12 34 56"`, `"0x12,0xFF"`).
//!
//! Errors point at the offending character. (STUB: being implemented.)

use std::fmt;

use crate::frame::Frame;

/// Malformed frame text: what was expected and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The text that was parsed.
    pub input: String,
    /// Byte offset of the offending character in `input`.
    pub pos: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {} of '{}'", self.message, self.pos + 1, self.input)
    }
}

impl std::error::Error for ParseError {}

/// Parse the compact syntax of `cansend`.
pub fn parse_frame(s: &str) -> Result<Frame, ParseError> {
    Err(ParseError { input: s.into(), pos: 0, message: "not implemented".into() })
}

/// Write a frame in the compact syntax exactly as `candump -L` prints it.
pub fn write_frame<W: fmt::Write>(out: &mut W, frame: &Frame) -> fmt::Result {
    write!(out, "{:03X}#", frame.id())
}
