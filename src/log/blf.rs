//! Vector BLF (binary logging format): a streaming reader and a writer, as Vector's CANoe and
//! CANalyzer write it and as python-can reads it. Layouts and the evidence for them are in
//! `shared/specs/vector-blf.md`.
//!
//! A BLF file is a 144-byte header and a sequence of LOG_CONTAINER objects whose (usually
//! zlib-compressed) payloads hold the real objects; an object may straddle two containers.
//! [`BlfReader`] decodes CAN_MESSAGE, CAN_MESSAGE2, CAN_ERROR, CAN_ERROR_EXT, CAN_FD_MESSAGE,
//! CAN_FD_MESSAGE_64 and CAN_FD_ERROR_64 into frames, GLOBAL_MARKER into markers and APP_TEXT
//! into comments; everything else (LIN, MOST, FlexRay, Ethernet, statistics, restore points,
//! header versions it does not know) is skipped by size and counted. [`BlfWriter`] writes
//! CAN_MESSAGE2, CAN_FD_MESSAGE_64, CAN_ERROR_EXT, GLOBAL_MARKER and APP_TEXT objects in zlib
//! containers of at most 128 KiB.
//!
//! Choices where sources disagree:
//! * The header's start time (a SYSTEMTIME, a civil date without zone) is UTC on both sides, as
//!   python-can does, so files exchanged with python-can keep their times.
//!   [`BlfReader::with_time_zone`] reads it in another zone (CANoe writes local time).
//! * Header bytes 8–15 follow Vector's layout (API number 4.7.1.0, application 0 = unknown,
//!   the zlib level, cankit's version), not python-can's eight version bytes.
//! * Error frames keep python-can's convention: SocketCAN error class in the `id` field and the
//!   8 detail bytes as data, ECC marked invalid. Vector error objects with a valid ECC are
//!   translated into SocketCAN protocol-violation error frames.
//! * Bad input: a corrupt object yields one recoverable error naming its byte offset, and
//!   reading resumes at the next `LOBJ`; a truncated file yields every complete object, then
//!   one error naming the truncation.
//!
//! The reader inflates on a second thread and the writer compresses on one thread per core;
//! neither allocates per frame.

mod objects;
mod read;
mod write;

pub use read::BlfReader;
pub use write::{BlfWriter, CONTAINER_LIMIT};

#[cfg(test)]
mod tests;
