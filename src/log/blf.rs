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
//! * The header's start time (a SYSTEMTIME, a civil date without zone) is local time, as CANoe
//!   and CANalyzer write and read it; `--tz`/`--utc` (`ReadOptions::tz`, `WriteOptions::tz`,
//!   [`BlfReader::with_time_zone`]) name another zone for reading and writing. python-can
//!   writes UTC instead: files whose header shows python-can's version bytes (§2 of the spec)
//!   are read as UTC whatever the zone option says, so their times come out as python-can's.
//!   Files cankit writes follow Vector: python-can (which assumes UTC) reads their absolute
//!   times shifted by the local UTC offset unless they were written with `--utc`.
//! * Header bytes 8–15 follow Vector's layout (API number 4.7.1.0, application 0 = unknown,
//!   the zlib level, cankit's version), not python-can's eight version bytes.
//! * Error frames keep python-can's convention: SocketCAN error class in the `id` field and the
//!   8 detail bytes as data, ECC marked invalid. Vector error objects with a valid ECC are
//!   translated into SocketCAN protocol-violation error frames.
//! * Bad input: a corrupt object yields one recoverable error naming its byte offset, and
//!   reading resumes at the next `LOBJ`; a truncated file yields every complete object, then
//!   one error naming the truncation.
//!
//! The reader inflates containers on one thread per core while the caller's thread reads the
//! file and decodes objects. The writer's caller only lays out objects; containers are compressed
//! on one thread per core. Neither allocates per frame, and both join their threads when dropped
//! (or finished).

mod objects;
mod read;
mod write;

pub use read::BlfReader;
pub use write::{BlfWriter, CONTAINER_LIMIT};

#[cfg(test)]
mod tests;
