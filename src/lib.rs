//! cankit: a toolbox of CAN bus utilities.
//!
//! Data flows one way, through one pipe ([`pipe`]): a source — a [`bus::Bus`], a subscription to a
//! [`bus::hub::Hub`] that shares one bus between many users, or log files read by [`log`] —
//! yields [`frame::Frame`]s and bus events; stages select them ([`pipe::Select`]: candump
//! [`filter`]s, channels, a time window), bound them ([`pipe::Limits`]: count, idle time,
//! duration) or schedule them ([`replay`]); a sink takes them: a log writer ([`log`], or
//! [`record`] with rotation and crash safety), a [`print::Printer`], or buses. `canlogger
//! convert` and `info` are [`pipe::run_files`] with a writer or a summary at the end, `watch` and
//! `wait` are [`pipe::print_events`], recording is [`record::record`], replay is
//! [`replay::replay`]. One [`shutdown::Shutdown`] stops every loop, each finishing its sink;
//! what happens along the way (malformed records, drops, state changes) goes to a
//! [`pipe::Observer`].
//!
//! * [`frame`]: the fixed-size `Frame` value, ids, flags, channel, timestamp.
//! * [`text`]: the can-utils text syntax (`123#DEADBEEF`, candump `-L` lines), parse and print.
//! * [`error_frame`]: SocketCAN error frames decoded into words and bus states.
//! * [`filter`]: candump filter syntax and data matchers, applied in kernel or user space.
//! * [`bus`]: the [`bus::Backend`] trait and its registry (`virtual`, `udp_multicast`, `socketcan`,
//!   `socketcand` and `remote` — the last two clients of network servers; a new backend is one
//!   file and one registry line); [`bus::hub::Hub`] shares one opened bus between many
//!   subscribers (each with its own filter and bounded queue) and senders.
//! * [`server`]: buses served over the network (the socketcand protocol, python-can's remote
//!   protocols), each client a hub subscriber; [`net`]: those protocols' wire formats.
//! * [`link`]: SocketCAN interfaces brought up, configured (bit rate, restart, CAN FD) and shown
//!   through netlink, as `ip link set can0 up type can ...` does (`canlogger link`).
//! * [`config`]: where bus settings come from (flags > environment > python-can config file > default).
//! * [`log`]: readers and writers of every log format (ASC, BLF, candump, TRC, CSV, SQLite).
//! * [`pipe`], [`record`], [`replay`], [`shutdown`]: the pipe, its two long-running forms, and
//!   the stop signal.
//! * [`print`]: printers for frames: human columns, candump log lines, JSON lines.
//! * [`canopen`]: CANopen (CiA 301): the object dictionary and its EDS/DCF reader, the SDO
//!   server and client, and a complete device ([`canopen::node::Node`], without I/O) that
//!   [`canopen::runner::run`] drives on a hub (`canopen-node`).
//! * [`repl`]: the interactive console any tool opens on a hub (`canlogger repl`): send, watch,
//!   match and wait for frames; line editing at a terminal (the `repl` cargo feature, on with
//!   `cli`), scripts from a pipe.
//! * `cli` (the `cli` cargo feature, on by default): clap pieces shared by every binary; library
//!   users can leave it and clap out with `default-features = false`.
//!
//! Recording a bus into a BLF file for two seconds and replaying it onto another bus:
//!
//! ```
//! use std::time::Duration;
//!
//! use cankit::pipe::{Limits, Quiet};
//! use cankit::record::{record, RecordOptions};
//! use cankit::replay::{replay, Outputs, Playlist, PlaylistFile, ReplayOptions};
//! use cankit::shutdown::Shutdown;
//! use cankit::{Bus, BusConfig, BusEvent, Frame};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! let path = dir.path().join("trace.blf");
//! let runtime = tokio::runtime::Runtime::new()?;
//! let shutdown = Shutdown::new(); // shutdown.on_signals()? would add Ctrl-C and SIGTERM
//!
//! // Record the "engine" bus for two seconds while another program sends 20 frames on it.
//! let recorded = runtime.block_on(async {
//!     let engine = BusConfig::new("virtual", Some("engine"));
//!     let mut bus = Bus::open(&engine).await?;
//!     let sender = Bus::open(&engine).await?;
//!     tokio::spawn(async move {
//!         for i in 0..20u8 {
//!             let frame = Frame::new_data(0x100 + u32::from(i), false, &[i]).expect("a valid frame");
//!             sender.send(&frame).await.expect("the virtual bus takes it");
//!             tokio::time::sleep(Duration::from_millis(20)).await;
//!         }
//!     });
//!     let mut options = RecordOptions::new(&path);
//!     options.limits = Limits { duration: Some(Duration::from_secs(2)), ..Limits::default() };
//!     record(&mut bus, options, &shutdown, &mut Quiet).await
//! })?;
//! assert_eq!((recorded.frames, recorded.files.len()), (20, 1));
//!
//! // Replay the file onto the "bench" bus with its recorded timing while a listener waits.
//! let bench = BusConfig::new("virtual", Some("bench"));
//! let (bus, mut listener) =
//!     runtime.block_on(async { Ok::<_, cankit::BusError>((Bus::open(&bench).await?, Bus::open(&bench).await?)) })?;
//! let mut playlist = Playlist::open(vec![PlaylistFile::new(&path)])?;
//! let mut outputs = Outputs::single(bus);
//! let options = ReplayOptions::default();
//! let (played, _end) = replay(&mut playlist, &mut outputs, options, runtime.handle(), &shutdown, &mut Quiet)?;
//! assert_eq!(played.sent, 20);
//! let BusEvent::Frame(first) = runtime.block_on(listener.recv())? else { panic!("frames only") };
//! assert_eq!((first.id(), first.data()), (0x100, &[0u8][..]));
//! # Ok(())
//! # }
//! ```

pub mod bus;
pub mod caneth;
pub mod canopen;
mod digits;
pub mod error_frame;
pub mod filter;
pub mod frame;
pub mod link;
pub mod text;

pub use bus::{Bus, BusConfig, BusError, BusEvent, BusState};
pub use filter::FilterSet;
pub use frame::{Channel, Direction, Frame, FrameKind, Timestamp};
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod log;
pub mod net;
pub mod pipe;
pub mod print;
pub mod record;
pub mod repl;
pub mod replay;
pub mod server;
pub mod shutdown;
