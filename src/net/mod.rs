//! The wire formats of the network protocols cankit speaks, shared by the server
//! ([`crate::server`]) and the bus backends that are their clients.
//!
//! * [`socketcand`]: the socketcand daemon's text elements and discovery beacon.
//! * [`remote`]: python-can 2.0's binary remote protocol.
//! * [`udp_frames`]: the CAN-to-UDP bridges' datagrams (Linux `struct can_frame`, cannelloni).
//! * [`ws_remote`]: python-can-remote's WebSocket JSON and binary messages.
//! * [`waveshare`]: the 13-byte records of Waveshare's CAN-to-Ethernet gateway and its clones.

pub mod remote;
pub mod socketcand;
pub mod udp_frames;
pub mod waveshare;
pub mod ws_remote;
