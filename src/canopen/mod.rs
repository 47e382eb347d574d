//! CANopen (CiA 301): a complete device ([`node::Node`]) built from an object dictionary
//! ([`od`]) read from an EDS or DCF file ([`eds`]), on a hub subscription.
//!
//! * [`types`]: the data types and how their bytes read as numbers and text.
//! * [`od`]: the object dictionary, with CiA 301's access, length and range checks.
//! * [`eds`]: CiA 306 EDS/DCF files into a dictionary, with warnings that name file, section and
//!   key.
//! * [`abort`]: SDO abort codes and their meanings.
//! * [`sdo`]: the SDO server (expedited, segmented and block transfers), a state machine that
//!   takes requests and gives responses, no I/O.
//! * [`node`]: NMT, heartbeat, node guarding, SYNC, TIME, EMCY, PDOs and the SDO servers around
//!   one dictionary, also without I/O: frames and the time go in, frames and events come out;
//!   [`runner::run`] drives it on a [`crate::bus::hub::Hub`] and [`runner::NodeHandle`] is the
//!   application's side.
//! * [`client`]: the SDO client (every transfer mode) a master reads and writes nodes with.
//! * [`gateway`]: CiA 309-3 (ASCII, CANopenNode's grammar) and CiA 309-5 (HTTP) gateways on the
//!   SDO client.
//! * [`pdo`]: PDO parameters, mapping checks, packing; [`store`]: stored parameters (0x1010).
//! * [`monitor`]: a bus analyser: frames in, decoded NMT, SDO transactions, PDOs, EMCY... out.

pub mod abort;
pub mod client;
pub mod eds;
pub mod gateway;
pub mod monitor;
pub mod node;
pub mod od;
pub mod pdo;
pub mod runner;
pub mod sdo;
pub mod store;
pub mod types;

pub use abort::Abort;
pub use od::{Access, Entry, Object, ObjectDictionary, ObjectKind};
pub use types::DataType;
