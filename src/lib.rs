//! cankit: a toolbox of CAN bus utilities.
//!
//! Data flows one way: a source (a [`bus::Bus`] or, later, a log reader) yields [`frame::Frame`]s,
//! a [`filter::FilterSet`] may sit in the middle, and a sink (a bus, a log writer or a
//! [`print::Printer`]) takes them. Watching, recording, replaying, converting and serving are all
//! that same pipe with different ends.
//!
//! * [`frame`]: the fixed-size `Frame` value, ids, flags, channel, timestamp.
//! * [`text`]: the can-utils text syntax (`123#DEADBEEF`, candump `-L` lines), parse and print.
//! * [`error_frame`]: SocketCAN error frames decoded into words and bus states.
//! * [`filter`]: candump filter syntax and data matchers, applied in kernel or user space.
//! * [`bus`]: the async bus interface and its backends (`virtual`, `udp_multicast`, `socketcan`);
//!   [`bus::hub::Hub`] shares one opened bus between many subscribers (each with its own filter
//!   and bounded queue) and senders.
//! * [`config`]: where bus settings come from (flags > environment > python-can config file > default).
//! * [`print`]: printers for frames: human columns, candump log lines, JSON lines.
//! * `cli` (the `cli` cargo feature, on by default): clap pieces shared by every binary; library
//!   users can leave it and clap out with `default-features = false`.

pub mod bus;
mod digits;
pub mod error_frame;
pub mod filter;
pub mod frame;
pub mod text;

pub use bus::{Bus, BusConfig, BusError, BusEvent, BusState};
pub use filter::FilterSet;
pub use frame::{Channel, Direction, Frame, FrameKind, Timestamp};
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod log;
pub mod print;
