//! The backend trait and the registry: how [`super::Bus`] reaches a bus, and which backends it
//! knows by name.
//!
//! A backend is one file implementing [`Backend`] and exporting a [`BackendEntry`]; it becomes
//! known to every tool by one line in [`BUILTIN`] (or, from a program or a test, by [`register`]).
//! Opening by name ([`open`]), the list of names in `--help`, in error messages and in config
//! resolution ([`interfaces`], [`find`]) all come from the registry.
//!
//! The trait is object-safe: [`super::Bus`] holds a `Box<dyn Backend>`, and the async methods
//! return boxed futures. Backends do what only they can (sockets, kernel filters, their own
//! counters); the bus around them applies the user-space filter and tracks the controller state
//! the same way for all.

use std::future::Future;
use std::pin::Pin;
use std::sync::RwLock;

use super::{BusConfig, BusError, BusEvent, BusStats};
use crate::filter::FilterSet;
use crate::frame::Frame;

/// What a backend's async methods return.
pub type BusFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, BusError>> + Send + 'a>>;

/// One way to reach a CAN bus. `send` and `recv` take `&self`: one task may send while another
/// receives.
pub trait Backend: Send + Sync + 'static {
    /// Send one frame; resolves when the backend has taken it.
    fn send<'a>(&'a self, frame: &'a Frame) -> BusFuture<'a, ()>;
    /// The next event (frames with their receive time, state changes, drops, garbage).
    fn recv(&self) -> BusFuture<'_, BusEvent>;
    /// The next event if one is ready now, without waiting, for receivers that take events in
    /// batches. Backends that cannot tell without waiting keep the default: nothing ready.
    fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        Ok(None)
    }
    /// Let the kernel drop what the filter rejects, where the backend can (SocketCAN); the bus
    /// applies the whole filter in user space as well, so the default does nothing.
    fn set_kernel_filter(&mut self, _filter: &FilterSet) -> Result<(), BusError> {
        Ok(())
    }
    /// This bus is only sent on from now (a player's output): the backend may stop receiving, so
    /// that traffic nobody reads neither fills buffers nor wakes the runtime, as can-utils'
    /// canplayer installs an empty `CAN_RAW_FILTER`. The default keeps receiving.
    fn stop_receiving(&mut self) -> Result<(), BusError> {
        Ok(())
    }
    /// Counters for the backend's whole life.
    fn stats(&self) -> BusStats;
    /// One line saying what was opened, e.g. `socketcan vcan0 (CAN FD)`.
    fn describe(&self) -> String;
}

/// A backend as the registry knows it.
#[derive(Clone, Copy)]
pub struct BackendEntry {
    /// Its python-can interface name (`-i`, `CAN_INTERFACE`, `interface =` in config files).
    pub name: &'static str,
    /// Other names users write for it (`socketcan_native`, `udp`).
    pub aliases: &'static [&'static str],
    /// Open it with a resolved configuration.
    pub open: fn(&BusConfig) -> Result<Box<dyn Backend>, BusError>,
}

/// The backends every tool knows, in the order `--help` and errors list them.
pub const BUILTIN: &[BackendEntry] = &[
    super::udp_multicast::ENTRY,
    super::socketcan::ENTRY,
    super::virtual_bus::ENTRY,
    super::socketcand::ENTRY,
    super::remote::ENTRY,
    super::waveshare::ENTRY,
];

/// Backends added at run time by [`register`].
static REGISTERED: RwLock<Vec<BackendEntry>> = RwLock::new(Vec::new());

/// Make a backend known by name to [`open`], [`find`] and config resolution, beside the built-in
/// ones (a name already known is replaced).
pub fn register(entry: BackendEntry) {
    let mut registered = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    registered.retain(|e| e.name != entry.name);
    registered.push(entry);
}

/// Every backend known, built-in ones first.
pub fn entries() -> Vec<BackendEntry> {
    let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    BUILTIN.iter().copied().chain(registered.iter().copied()).collect()
}

/// The names of every backend known (for `--help` and error messages).
pub fn interfaces() -> Vec<&'static str> {
    entries().iter().map(|e| e.name).collect()
}

/// The backend a user's name for it means (any case; aliases too).
pub fn find(name: &str) -> Option<BackendEntry> {
    let name = name.trim();
    entries()
        .into_iter()
        .find(|e| e.name.eq_ignore_ascii_case(name) || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
}

/// Open the backend `config.interface` names.
pub fn open(config: &BusConfig) -> Result<Box<dyn Backend>, BusError> {
    let entry =
        find(&config.interface).ok_or_else(|| BusError::UnknownInterface(config.interface.clone()))?;
    (entry.open)(config)
}
