//! SocketCAN network interfaces configured the way `ip link set can0 up type can bitrate 1000000
//! restart-ms 2000` does it, through netlink (the `socketcan` crate's [`CanInterface`]): bring
//! an interface up with its bit timing, restart delay, CAN FD mode and queue length, take it
//! down, and report its state ([`LinkStatus`]).
//!
//! The bring-up specs of the seed project's `can_if` script are understood too:
//! `can0@1000000,2000` is `can0` at 1 Mbit/s with a 2000 ms bus-off restart ([`LinkSpec`]), so a
//! systemd unit can pass `CAN_IF="can0@1000000,2000 can1@500000"` straight through.
//!
//! Only CAN interfaces are touched: a name that is not one (`eth0`, `lo`) is refused before
//! anything is sent, so a typo cannot take the network down. Virtual CAN interfaces (`vcan`,
//! `vxcan`) have no bit timing: asking for one is an error that says so. What this leaves to
//! others: creating and deleting interfaces (`ip link add`), the low-level timing segments
//! (`tq`, `prop-seg`, ...), and termination; `ip` does those.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use socketcan::nl::{CanBitTiming, CanCtrlModes, CanState, InterfaceCanParams, Mtu};
use socketcan::{CanCtrlMode, CanInterface};

/// One interface as a bring-up spec names it: `NAME[@BITRATE[,RESTART_MS]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpec {
    /// The interface name (`can0`).
    pub name: String,
    /// The nominal bit rate, when the spec gives one (`@1000000`, `@500k`).
    pub bitrate: Option<u32>,
    /// The automatic bus-off restart delay in milliseconds (`,2000`); 0 turns it off.
    pub restart_ms: Option<u32>,
}

impl LinkSpec {
    /// Parse `can0`, `can0@1000000`, `can0@500k,2000` (the bit rate as [`parse_bitrate`] reads it).
    pub fn parse(spec: &str) -> Result<LinkSpec, LinkError> {
        let bad = |reason: String| LinkError::Spec { spec: spec.to_string(), reason };
        let (name, settings) = match spec.split_once('@') {
            Some((name, settings)) => (name, Some(settings)),
            None => (spec, None),
        };
        check_name(name).map_err(bad)?;
        let mut link = LinkSpec { name: name.to_string(), bitrate: None, restart_ms: None };
        let Some(settings) = settings else { return Ok(link) };
        let (bitrate, restart_ms) = match settings.split_once(',') {
            Some((bitrate, restart_ms)) => (bitrate, Some(restart_ms)),
            None => (settings, None),
        };
        if bitrate.is_empty() {
            return Err(bad(
                "no bit rate after '@' (expected NAME@BITRATE[,RESTART_MS], e.g. can0@1000000,2000)".into(),
            ));
        }
        link.bitrate = Some(parse_bitrate(bitrate).map_err(bad)?);
        if let Some(restart_ms) = restart_ms {
            link.restart_ms = Some(parse_restart_ms(restart_ms).map_err(bad)?);
        }
        Ok(link)
    }
}

impl fmt::Display for LinkSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(bitrate) = self.bitrate {
            write!(f, "@{bitrate}")?;
            if let Some(restart_ms) = self.restart_ms {
                write!(f, ",{restart_ms}")?;
            }
        }
        Ok(())
    }
}

/// An interface name as the kernel accepts it: 1 to 15 bytes, no '/', ':', ',' or white space.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("no interface name (expected NAME[@BITRATE[,RESTART_MS]], e.g. can0@1000000,2000)".into());
    }
    if name.len() >= libc::IFNAMSIZ {
        return Err(format!("interface name '{name}' is longer than {} bytes", libc::IFNAMSIZ - 1));
    }
    if let Some(c) = name.chars().find(|c| c.is_whitespace() || matches!(c, '/' | ':' | ',' | '@')) {
        return Err(format!("interface name '{name}' contains '{c}'"));
    }
    Ok(())
}

/// A bit rate as people and `ip` write it: `1000000`, `500k`, `1M`.
pub fn parse_bitrate(text: &str) -> Result<u32, String> {
    crate::config::parse_bitrate(text)
}

/// A restart delay in milliseconds, as `ip`'s `restart-ms` takes it (0 = no automatic restart).
pub fn parse_restart_ms(text: &str) -> Result<u32, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a restart delay in milliseconds (e.g. 2000, or 0 for none)"))
}

/// A sample point as `ip` writes it, a fraction of the bit (`0.875`), or a percentage (`87.5%`);
/// returned in tenths of a percent, the kernel's unit.
pub fn parse_sample_point(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(percent) => (percent.trim(), 10.0),
        None => (t, 1000.0),
    };
    let value: f64 =
        number.parse().map_err(|_| format!("'{text}' is not a sample point (e.g. 0.875 or 87.5%)"))?;
    let tenths = (value * scale).round();
    if !(1.0..1000.0).contains(&tenths) {
        return Err(format!("sample point '{text}' is out of range (between 0 and 1, e.g. 0.875)"));
    }
    Ok(tenths as u32)
}

/// What `up` sets. `None` leaves a setting as the interface has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkSettings {
    /// Nominal bit rate in bit/s.
    pub bitrate: Option<u32>,
    /// Nominal sample point in tenths of a percent (875 = 0.875); the driver picks one otherwise.
    pub sample_point: Option<u32>,
    /// CAN FD data-phase bit rate in bit/s.
    pub data_bitrate: Option<u32>,
    /// Data-phase sample point in tenths of a percent.
    pub data_sample_point: Option<u32>,
    /// Bus-off restart delay in milliseconds (0: stay bus-off until restarted by hand).
    pub restart_ms: Option<u32>,
    /// CAN FD on or off (the controller mode; on a virtual interface, its MTU).
    pub fd: Option<bool>,
    /// Transmit queue length in frames.
    pub txqueuelen: Option<u32>,
}

impl LinkSettings {
    /// These settings with a spec's own bit rate and restart delay, which must not contradict them.
    pub fn with_spec(&self, spec: &LinkSpec) -> Result<LinkSettings, LinkError> {
        let mut merged = self.clone();
        let conflict = |what: &str, flag: &str| LinkError::Spec {
            spec: spec.to_string(),
            reason: format!("gives a {what} and so does {flag}: give it once"),
        };
        if let Some(bitrate) = spec.bitrate {
            if self.bitrate.is_some_and(|b| b != bitrate) {
                return Err(conflict("bit rate", "--bitrate"));
            }
            merged.bitrate = Some(bitrate);
        }
        if let Some(restart_ms) = spec.restart_ms {
            if self.restart_ms.is_some_and(|r| r != restart_ms) {
                return Err(conflict("restart delay", "--restart-ms"));
            }
            merged.restart_ms = Some(restart_ms);
        }
        Ok(merged)
    }

    /// Whether anything in the CAN link data (bit timing, restart, modes) is to be set.
    fn sets_can_parameters(&self) -> bool {
        self.bitrate.is_some()
            || self.sample_point.is_some()
            || self.data_bitrate.is_some()
            || self.data_sample_point.is_some()
            || self.restart_ms.is_some()
            || self.fd.is_some()
    }

    /// The first setting a virtual interface cannot have, as its `ip`/flag name.
    fn first_timing_setting(&self) -> Option<&'static str> {
        [
            (self.bitrate.is_some(), "bitrate"),
            (self.sample_point.is_some(), "sample-point"),
            (self.data_bitrate.is_some(), "dbitrate"),
            (self.data_sample_point.is_some(), "dsample-point"),
            (self.restart_ms.is_some(), "restart-ms"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }

    /// The `ip` commands that do what [`up`] does with these settings, one per line (for
    /// `--dry-run`, and for people who want to know).
    pub fn ip_commands(&self, name: &str) -> Vec<String> {
        let mut commands = Vec::new();
        let changes = self.sets_can_parameters() || self.txqueuelen.is_some();
        if changes {
            commands.push(format!("ip link set {name} down"));
        }
        let mut can = String::new();
        if let Some(bitrate) = self.bitrate {
            can += &format!(" bitrate {bitrate}");
        }
        if let Some(sp) = self.sample_point {
            can += &format!(" sample-point {}", format_sample_point(sp));
        }
        if let Some(bitrate) = self.data_bitrate {
            can += &format!(" dbitrate {bitrate}");
        }
        if let Some(sp) = self.data_sample_point {
            can += &format!(" dsample-point {}", format_sample_point(sp));
        }
        if let Some(restart_ms) = self.restart_ms {
            can += &format!(" restart-ms {restart_ms}");
        }
        if let Some(fd) = self.fd {
            can += if fd { " fd on" } else { " fd off" };
        }
        if !can.is_empty() {
            commands.push(format!("ip link set {name} type can{can}"));
        }
        if let Some(qlen) = self.txqueuelen {
            commands.push(format!("ip link set {name} txqueuelen {qlen}"));
        }
        commands.push(format!("ip link set {name} up"));
        commands
    }
}

/// A sample point in tenths of a percent as `ip` prints it: `0.875`.
fn format_sample_point(tenths: u32) -> String {
    format!("{}.{:03}", tenths / 1000, tenths % 1000)
}

/// Why an interface could not be configured or read. Each names the interface and, for the
/// kernel's refusals, what was being done.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// A bring-up spec or a setting is malformed.
    #[error("'{spec}': {reason}")]
    Spec { spec: String, reason: String },
    /// No network interface of that name.
    #[error("{name}: no such network interface (`ip link show` lists them)")]
    NoSuchInterface { name: String },
    /// The interface exists but is not a CAN interface.
    #[error("{name} is not a CAN interface (its link type is {link_type}; CAN is 280): left alone")]
    NotCan { name: String, link_type: u16 },
    /// A virtual interface was asked for a bit timing or restart delay it cannot have.
    #[error(
        "{name} is a virtual CAN interface: it has no {setting}; only `link up {name}` without --{setting}"
    )]
    Virtual { name: String, setting: &'static str },
    /// A driver with a fixed list of bit rates was asked for one not on it.
    #[error("{name} takes only these bit rates: {supported} (not {asked})", supported = list(.supported))]
    UnsupportedBitrate { name: String, asked: u32, supported: Vec<u32> },
    /// CAN FD was asked of a controller that says it cannot do it.
    #[error("{name} does not support CAN FD (its driver says so): leave out --fd/--dbitrate")]
    NoFd { name: String },
    /// The kernel said EPERM: configuring links needs CAP_NET_ADMIN.
    #[error(
        "{name}: {action}: permission denied: configuring a network interface needs root or \
         CAP_NET_ADMIN (run it with sudo, or give the service AmbientCapabilities=CAP_NET_ADMIN)"
    )]
    PermissionDenied { name: String, action: String },
    /// Any other refusal by the kernel or the driver.
    #[error("{name}: {action}: {source}{hint}")]
    System {
        name: String,
        action: String,
        source: io::Error,
        /// What usually causes this error here, or empty.
        hint: &'static str,
    },
}

/// Numbers as a comma-separated list.
fn list(numbers: &[u32]) -> String {
    numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

impl LinkError {
    /// Whether the error is in what the user asked (a malformed spec, the wrong kind of
    /// interface) rather than in the system (missing interface, no permission, driver refusal).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            LinkError::Spec { .. }
                | LinkError::NotCan { .. }
                | LinkError::Virtual { .. }
                | LinkError::UnsupportedBitrate { .. }
                | LinkError::NoFd { .. }
        )
    }
}

/// The errno inside an error of the `socketcan` crate.
fn errno_of(error: &socketcan::Error) -> Option<i32> {
    match error {
        socketcan::Error::Io(e) => e.raw_os_error(),
        socketcan::Error::Nl(e) => e.errno(),
        _ => None,
    }
}

/// Whether this process may configure network interfaces: CAP_NET_ADMIN in its effective set
/// (root has it). `None` when /proc does not say.
pub fn has_net_admin() -> Option<bool> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let hex = status.lines().find_map(|line| line.strip_prefix("CapEff:"))?.trim();
    let effective = u64::from_str_radix(hex, 16).ok()?;
    const CAP_NET_ADMIN: u32 = 12;
    Some(effective & (1 << CAP_NET_ADMIN) != 0)
}

/// Refuse up front, with the reason, what the kernel would refuse with EPERM.
fn check_permission(name: &str, action: &str) -> Result<(), LinkError> {
    match has_net_admin() {
        Some(false) => Err(LinkError::PermissionDenied { name: name.into(), action: action.into() }),
        _ => Ok(()),
    }
}

/// Turn a `socketcan` error from `action` on `name` into a [`LinkError`], with a hint.
fn system_error(name: &str, action: &str, error: socketcan::Error, hint: &'static str) -> LinkError {
    let errno = errno_of(&error);
    // socketcan 4.0 reads the kernel's error answer to a change as a missing acknowledgement and
    // drops its errno: say that the kernel refused, and what usually makes it.
    if matches!(error, socketcan::Error::Nl(socketcan::NlError::NoAck)) {
        if has_net_admin() == Some(false) {
            return LinkError::PermissionDenied { name: name.into(), action: action.into() };
        }
        let source = io::Error::other("the kernel refused it (`ip link` prints the kernel's reason)");
        return LinkError::System { name: name.into(), action: action.into(), source, hint };
    }
    match errno {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            LinkError::PermissionDenied { name: name.into(), action: action.into() }
        }
        Some(libc::ENODEV) => LinkError::NoSuchInterface { name: name.into() },
        _ => {
            let source = match (errno, error) {
                (Some(code), _) => io::Error::from_raw_os_error(code),
                (None, socketcan::Error::Io(e)) => e,
                (None, other) => io::Error::other(other.to_string()),
            };
            LinkError::System { name: name.into(), action: action.into(), source, hint }
        }
    }
}

/// An `io::Error` from one of our own ioctls, as a [`LinkError`].
fn ioctl_error(name: &str, action: &str, error: io::Error) -> LinkError {
    match error.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            LinkError::PermissionDenied { name: name.into(), action: action.into() }
        }
        Some(libc::ENODEV) => LinkError::NoSuchInterface { name: name.into() },
        _ => LinkError::System { name: name.into(), action: action.into(), source: error, hint: "" },
    }
}

/// A CAN interface, checked to exist and to be CAN, with what kind it is.
struct Opened {
    interface: CanInterface,
    /// The interface's CAN link data as it was when opened: all `None` on a virtual interface.
    params: InterfaceCanParams,
}

impl Opened {
    fn open(name: &str) -> Result<Opened, LinkError> {
        check_name(name).map_err(|reason| LinkError::Spec { spec: name.into(), reason })?;
        let link_type = ifreq::link_type(name).map_err(|e| ioctl_error(name, "reading its link type", e))?;
        if link_type != libc::ARPHRD_CAN {
            return Err(LinkError::NotCan { name: name.into(), link_type });
        }
        let interface = CanInterface::open(name).map_err(|e| system_error(name, "opening", e, ""))?;
        let params =
            interface.can_params().map_err(|e| system_error(name, "reading its CAN settings", e, ""))?;
        Ok(Opened { interface, params })
    }

    /// The bit rates a driver with fixed ones takes (slcan, some USB adapters); empty when the
    /// driver computes its timing from a clock instead.
    fn fixed_bitrates(&self) -> Vec<u32> {
        let bytes = self.interface.can_param_bytes(libc::IFLA_CAN_BITRATE_CONST as u16).ok().flatten();
        bytes
            .unwrap_or_default()
            .chunks_exact(4)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    /// A virtual CAN interface (vcan, vxcan) reports no CAN link data at all; every driver on the
    /// kernel's CAN device layer reports at least its control modes and restart delay.
    fn is_virtual(&self) -> bool {
        self.params.ctrl_mode.is_none()
            && self.params.restart_ms.is_none()
            && self.params.bit_timing_const.is_none()
    }
}

/// Configure `name` with `settings` and bring it up: down first when anything is to be set (the
/// kernel takes bit timing only from a stopped controller), the CAN settings in one netlink
/// message (some drivers accept them only together), the queue length, then up. With nothing to
/// set, an interface already up is left as it is.
pub fn up(name: &str, settings: &LinkSettings) -> Result<(), LinkError> {
    let opened = Opened::open(name)?;
    let is_virtual = opened.is_virtual();
    if is_virtual {
        if let Some(setting) = settings.first_timing_setting() {
            return Err(LinkError::Virtual { name: name.into(), setting });
        }
    }
    if let Some(asked) = settings.bitrate.filter(|_| !is_virtual) {
        let supported = opened.fixed_bitrates();
        if !supported.is_empty() && !supported.contains(&asked) {
            return Err(LinkError::UnsupportedBitrate { name: name.into(), asked, supported });
        }
    }
    // Kernels since 6.0 report the modes a controller supports: CAN FD is checked up front.
    let supported = opened.params.ctrl_mode_supported;
    if !is_virtual && settings.fd == Some(true) && supported.is_some_and(|m| m & CanCtrlMode::Fd.mask() == 0)
    {
        return Err(LinkError::NoFd { name: name.into() });
    }
    check_permission(name, if settings.sets_can_parameters() { "configuring" } else { "setting it up" })?;
    let interface = &opened.interface;
    if settings.sets_can_parameters() || settings.txqueuelen.is_some() {
        interface.bring_down().map_err(|e| system_error(name, "setting it down", e, ""))?;
    }
    if is_virtual {
        if let Some(fd) = settings.fd {
            let mtu = if fd { Mtu::Fd } else { Mtu::Standard };
            interface
                .set_mtu(mtu)
                .map_err(|e| system_error(name, &format!("setting MTU {}", mtu as u32), e, ""))?;
        }
    } else if settings.sets_can_parameters() {
        let timing = |bitrate: Option<u32>, sample_point: Option<u32>| {
            bitrate.map(|bitrate| CanBitTiming {
                bitrate,
                sample_point: sample_point.unwrap_or(0),
                ..CanBitTiming::default()
            })
        };
        let params = InterfaceCanParams {
            bit_timing: timing(settings.bitrate, settings.sample_point),
            data_bit_timing: timing(settings.data_bitrate, settings.data_sample_point),
            restart_ms: settings.restart_ms,
            ctrl_mode: settings.fd.map(|fd| CanCtrlModes::from_mode(CanCtrlMode::Fd, fd)),
            ..InterfaceCanParams::default()
        };
        let what = settings.ip_commands(name);
        let action = what.iter().find(|c| c.contains(" type can ")).map_or("configuring", |c| c.as_str());
        let hint = match (settings.bitrate, opened.params.bit_timing_const.is_some()) {
            (Some(_), true) => {
                " (the controller cannot reach that bit rate or sample point with its clock, or a \
                 setting it does not support was asked for; `canlogger link show` tells its clock)"
            }
            (Some(_), false) => " (this driver does not take that bit rate or sample point)",
            _ => "",
        };
        interface.set_can_params(&params).map_err(|e| system_error(name, action, e, hint))?;
    }
    if let Some(qlen) = settings.txqueuelen {
        ifreq::set_txqueuelen(name, qlen)
            .map_err(|e| ioctl_error(name, &format!("setting txqueuelen {qlen}"), e))?;
    }
    let hint = if is_virtual
        || opened.params.bit_timing.is_some_and(|t| t.bitrate != 0)
        || settings.bitrate.is_some()
    {
        ""
    } else {
        " (a CAN controller needs a bit rate before it can go up: add --bitrate, e.g. --bitrate 500k)"
    };
    interface.bring_up().map_err(|e| system_error(name, "setting it up", e, hint))
}

/// Wait up to `timeout` for the interface `name` to exist: at boot, an adapter's driver (an
/// MCP2515 on SPI, a USB adapter) may create it after the service that configures it started.
/// Returns at once when it is there; [`LinkError::NoSuchInterface`] when it never comes.
pub fn wait_for(name: &str, timeout: std::time::Duration) -> Result<(), LinkError> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match ifreq::link_type(name) {
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => {}
            _ => return Ok(()),
        }
        if std::time::Instant::now() >= deadline {
            return Err(LinkError::NoSuchInterface { name: name.into() });
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Bring `name` down (a CAN interface only).
pub fn down(name: &str) -> Result<(), LinkError> {
    let opened = Opened::open(name)?;
    check_permission(name, "setting it down")?;
    opened.interface.bring_down().map_err(|e| system_error(name, "setting it down", e, ""))
}

/// What `link show` reports about one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkStatus {
    pub name: String,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// No CAN link data: vcan, vxcan.
    pub is_virtual: bool,
    pub mtu: Option<u32>,
    pub txqueuelen: Option<u32>,
    /// The controller's state; `None` on a virtual interface.
    pub state: Option<&'static str>,
    pub bitrate: Option<u32>,
    /// In tenths of a percent.
    pub sample_point: Option<u32>,
    pub data_bitrate: Option<u32>,
    pub data_sample_point: Option<u32>,
    pub restart_ms: Option<u32>,
    /// Transmit and receive error counters.
    pub error_counters: Option<(u16, u16)>,
    /// The controller's clock in Hz.
    pub clock: Option<u32>,
    /// The only bit rates the driver takes, when it has a fixed list (slcan).
    pub fixed_bitrates: Vec<u32>,
    /// CAN FD mode (on a virtual interface: its MTU is CAN FD's).
    pub fd: bool,
}

impl LinkStatus {
    /// As `ip -details link show` would say it, in fewer lines.
    pub fn to_text(&self) -> String {
        let mut text = format!("{}: state {}", self.name, if self.up { "UP" } else { "DOWN" });
        if let Some(mtu) = self.mtu {
            text += &format!(" mtu {mtu}");
        }
        if let Some(qlen) = self.txqueuelen {
            text += &format!(" txqueuelen {qlen}");
        }
        if self.is_virtual {
            text += &format!(
                "\n    virtual CAN interface: no bitrate{}",
                if self.fd { ", CAN FD (mtu 72)" } else { "" }
            );
            return text;
        }
        text += &format!("\n    can state {}", self.state.unwrap_or("UNKNOWN"));
        if let Some((tx, rx)) = self.error_counters {
            text += &format!(" (berr-counter tx {tx} rx {rx})");
        }
        match self.restart_ms {
            Some(0) => text += " restart-ms 0 (no automatic restart)",
            Some(ms) => text += &format!(" restart-ms {ms}"),
            None => {}
        }
        match self.bitrate {
            Some(bitrate) if bitrate != 0 => {
                text += &format!("\n    bitrate {bitrate}");
                if let Some(sp) = self.sample_point {
                    text += &format!(" sample-point {}", format_sample_point(sp));
                }
            }
            _ => text += "\n    bitrate not set",
        }
        if !self.fixed_bitrates.is_empty() {
            text += &format!("\n    fixed bitrates {}", list(&self.fixed_bitrates));
        }
        if let Some(bitrate) = self.data_bitrate.filter(|b| *b != 0) {
            text += &format!("\n    dbitrate {bitrate}");
            if let Some(sp) = self.data_sample_point {
                text += &format!(" dsample-point {}", format_sample_point(sp));
            }
        }
        let mut last = String::new();
        if self.fd {
            last += " fd on";
        }
        if let Some(clock) = self.clock {
            last += &format!(" clock {clock}");
        }
        if !last.is_empty() {
            text += &format!("\n   {last}");
        }
        text
    }

    /// One JSON object, for scripts.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "up": self.up,
            "virtual": self.is_virtual,
            "mtu": self.mtu,
            "txqueuelen": self.txqueuelen,
            "state": self.state,
            "bitrate": self.bitrate,
            "sample_point": self.sample_point.map(|sp| f64::from(sp) / 1000.0),
            "dbitrate": self.data_bitrate,
            "dsample_point": self.data_sample_point.map(|sp| f64::from(sp) / 1000.0),
            "restart_ms": self.restart_ms,
            "berr_counter": self.error_counters.map(|(tx, rx)| serde_json::json!({"tx": tx, "rx": rx})),
            "clock": self.clock,
            "fixed_bitrates": self.fixed_bitrates,
            "fd": self.fd,
        })
    }
}

/// The kernel's name for a controller state, as `ip` prints it.
fn state_name(state: CanState) -> &'static str {
    match state {
        CanState::ErrorActive => "ERROR-ACTIVE",
        CanState::ErrorWarning => "ERROR-WARNING",
        CanState::ErrorPassive => "ERROR-PASSIVE",
        CanState::BusOff => "BUS-OFF",
        CanState::Stopped => "STOPPED",
        CanState::Sleeping => "SLEEPING",
    }
}

/// The state and settings of the CAN interface `name`.
pub fn show(name: &str) -> Result<LinkStatus, LinkError> {
    let opened = Opened::open(name)?;
    let details = opened.interface.details().map_err(|e| system_error(name, "reading its state", e, ""))?;
    let params = &details.can;
    let is_virtual = opened.is_virtual();
    let mtu = ifreq::mtu(name).ok();
    Ok(LinkStatus {
        name: name.to_string(),
        up: details.is_up,
        is_virtual,
        mtu,
        txqueuelen: ifreq::txqueuelen(name).ok(),
        state: params.state.map(state_name),
        bitrate: params.bit_timing.map(|t| t.bitrate),
        // Drivers with fixed bit rates report no sample point (0).
        sample_point: params.bit_timing.map(|t| t.sample_point).filter(|sp| *sp != 0),
        data_bitrate: params.data_bit_timing.map(|t| t.bitrate),
        data_sample_point: params.data_bit_timing.map(|t| t.sample_point).filter(|sp| *sp != 0),
        restart_ms: params.restart_ms,
        error_counters: params.berr_counter.map(|c| (c.txerr, c.rxerr)),
        clock: params.clock.map(|c| c.freq).filter(|f| *f != 0),
        fixed_bitrates: if is_virtual { Vec::new() } else { opened.fixed_bitrates() },
        fd: if is_virtual {
            mtu == Some(Mtu::Fd as u32)
        } else {
            params.ctrl_mode.is_some_and(|m| m.has_mode(CanCtrlMode::Fd))
        },
    })
}

/// The names of every CAN interface on this host, in index order.
pub fn can_interfaces() -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    // SAFETY: if_nameindex returns a list ending in an entry with index 0 and a null name, or
    // null on failure; the list is read before if_freenameindex releases it, and only then.
    unsafe {
        let list = libc::if_nameindex();
        if list.is_null() {
            return Err(io::Error::last_os_error());
        }
        let mut entry = list;
        while (*entry).if_index != 0 && !(*entry).if_name.is_null() {
            names.push(std::ffi::CStr::from_ptr((*entry).if_name).to_string_lossy().into_owned());
            entry = entry.add(1);
        }
        libc::if_freenameindex(list);
    }
    Ok(names.into_iter().filter(|name| ifreq::link_type(name).is_ok_and(|t| t == libc::ARPHRD_CAN)).collect())
}

/// The few interface ioctls netlink's wrapper does not offer: link type, MTU, queue length.
mod ifreq {
    use super::*;

    /// A socket to send interface ioctls through (any family will do; the kernel routes SIOC*IF*
    /// requests to the device layer).
    fn control_socket() -> io::Result<OwnedFd> {
        // SAFETY: socket() has no memory-safety preconditions; a valid descriptor is owned here.
        let fd = unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh descriptor nobody else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// An `ifreq` for `name` (checked by `check_name` to fit, NUL included).
    fn request(name: &str) -> libc::ifreq {
        // SAFETY: ifreq is plain data; all zeroes is a valid value.
        let mut request: libc::ifreq = unsafe { std::mem::zeroed() };
        for (slot, byte) in request.ifr_name.iter_mut().zip(name.bytes().take(libc::IFNAMSIZ - 1)) {
            *slot = byte as libc::c_char;
        }
        request
    }

    fn ioctl(code: libc::c_ulong, request: &mut libc::ifreq) -> io::Result<()> {
        let socket = control_socket()?;
        // SAFETY: `request` is a valid ifreq that outlives the call; these requests read or write
        // only within it.
        let result = unsafe { libc::ioctl(socket.as_raw_fd(), code as _, request as *mut libc::ifreq) };
        if result < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// The interface's ARPHRD_* link type (ARPHRD_CAN = 280).
    pub fn link_type(name: &str) -> io::Result<u16> {
        let mut request = request(name);
        ioctl(libc::SIOCGIFHWADDR, &mut request)?;
        // SAFETY: SIOCGIFHWADDR filled in the hwaddr member of the union.
        Ok(unsafe { request.ifr_ifru.ifru_hwaddr.sa_family })
    }

    pub fn mtu(name: &str) -> io::Result<u32> {
        let mut request = request(name);
        ioctl(libc::SIOCGIFMTU, &mut request)?;
        // SAFETY: SIOCGIFMTU filled in the mtu member of the union.
        Ok(unsafe { request.ifr_ifru.ifru_mtu } as u32)
    }

    pub fn txqueuelen(name: &str) -> io::Result<u32> {
        let mut request = request(name);
        ioctl(libc::SIOCGIFTXQLEN, &mut request)?;
        // SAFETY: SIOCGIFTXQLEN filled in ifr_qlen, the int member the ifindex also uses.
        Ok(unsafe { request.ifr_ifru.ifru_ifindex } as u32)
    }

    pub fn set_txqueuelen(name: &str, qlen: u32) -> io::Result<()> {
        let mut request = request(name);
        request.ifr_ifru.ifru_ifindex = i32::try_from(qlen)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "queue length too large"))?;
        ioctl(libc::SIOCSIFTXQLEN, &mut request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, bitrate: Option<u32>, restart_ms: Option<u32>) -> LinkSpec {
        LinkSpec { name: name.into(), bitrate, restart_ms }
    }

    #[test]
    fn specs_of_the_seeds_can_if_parse() {
        assert_eq!(LinkSpec::parse("can0@1000000,2000").unwrap(), spec("can0", Some(1_000_000), Some(2000)));
        assert_eq!(LinkSpec::parse("can1@500000").unwrap(), spec("can1", Some(500_000), None));
        assert_eq!(LinkSpec::parse("can0").unwrap(), spec("can0", None, None));
        assert_eq!(LinkSpec::parse("can0@500k,0").unwrap(), spec("can0", Some(500_000), Some(0)));
        assert_eq!(LinkSpec::parse("vcan0@1M").unwrap(), spec("vcan0", Some(1_000_000), None));
    }

    #[test]
    fn specs_print_back_as_written() {
        for text in ["can0@1000000,2000", "can1@500000", "can0"] {
            assert_eq!(LinkSpec::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn bad_specs_name_the_spec_and_the_problem() {
        let message = |text: &str| LinkSpec::parse(text).unwrap_err().to_string();
        assert_eq!(message("can0@fast"), "'can0@fast': 'fast' is not a bit rate (e.g. 500000, 500k, 1M)");
        assert!(message("can0@").contains("no bit rate after '@'"), "{}", message("can0@"));
        assert!(message("@1000000").contains("no interface name"), "{}", message("@1000000"));
        assert!(
            message("can0@1000000,2s").contains("'2s' is not a restart delay"),
            "{}",
            message("can0@1000000,2s")
        );
        assert!(message("can0@1000000,").contains("'' is not a restart delay"));
        assert!(message("a-very-long-interface-name").contains("longer than 15 bytes"));
        assert!(
            message("can0@1000000@2").contains("'1000000@2' is not a bit rate"),
            "{}",
            message("can0@1000000@2")
        );
        assert!(message("can0@30M").contains("out of range"));
        assert!(LinkSpec::parse("can0@1000000,2000").is_ok());
    }

    #[test]
    fn bitrates_are_written_as_ip_and_people_write_them() {
        assert_eq!(parse_bitrate("1M"), Ok(1_000_000));
        assert_eq!(parse_bitrate("500k"), Ok(500_000));
        assert_eq!(parse_bitrate("125000"), Ok(125_000));
        assert_eq!(parse_bitrate("83.333k"), Ok(83_333));
        assert!(parse_bitrate("1 Mbit").is_err());
        assert!(parse_bitrate("-5").is_err());
    }

    #[test]
    fn sample_points_are_fractions_or_percentages() {
        assert_eq!(parse_sample_point("0.875"), Ok(875));
        assert_eq!(parse_sample_point("87.5%"), Ok(875));
        assert_eq!(parse_sample_point("0.8"), Ok(800));
        assert!(parse_sample_point("1.5").unwrap_err().contains("out of range"));
        assert!(parse_sample_point("0").is_err());
        assert!(parse_sample_point("high").is_err());
        assert_eq!(format_sample_point(875), "0.875");
    }

    #[test]
    fn a_spec_and_a_flag_must_agree() {
        let flags = LinkSettings { bitrate: Some(500_000), ..LinkSettings::default() };
        let merged = flags.with_spec(&LinkSpec::parse("can0@500k,100").unwrap()).unwrap();
        assert_eq!((merged.bitrate, merged.restart_ms), (Some(500_000), Some(100)));
        let error = flags.with_spec(&LinkSpec::parse("can0@1M").unwrap()).unwrap_err().to_string();
        assert_eq!(error, "'can0@1000000': gives a bit rate and so does --bitrate: give it once");
    }

    #[test]
    fn the_ip_commands_go_down_set_and_up() {
        let settings = LinkSettings {
            bitrate: Some(1_000_000),
            sample_point: Some(875),
            data_bitrate: Some(5_000_000),
            restart_ms: Some(2000),
            fd: Some(true),
            txqueuelen: Some(100),
            ..LinkSettings::default()
        };
        assert_eq!(
            settings.ip_commands("can0"),
            [
                "ip link set can0 down",
                "ip link set can0 type can bitrate 1000000 sample-point 0.875 dbitrate 5000000 restart-ms 2000 fd on",
                "ip link set can0 txqueuelen 100",
                "ip link set can0 up",
            ]
        );
        assert_eq!(LinkSettings::default().ip_commands("vcan0"), ["ip link set vcan0 up"]);
    }

    #[test]
    fn a_virtual_interface_refuses_the_first_timing_setting() {
        let settings = LinkSettings { restart_ms: Some(100), fd: Some(true), ..LinkSettings::default() };
        assert_eq!(settings.first_timing_setting(), Some("restart-ms"));
        assert_eq!(LinkSettings { fd: Some(true), ..LinkSettings::default() }.first_timing_setting(), None);
        let error = LinkError::Virtual { name: "vcan0".into(), setting: "bitrate" };
        assert_eq!(
            error.to_string(),
            "vcan0 is a virtual CAN interface: it has no bitrate; only `link up vcan0` without --bitrate"
        );
    }

    #[test]
    fn a_missing_interface_is_named() {
        let error = up("nosuchcan7", &LinkSettings::default()).unwrap_err();
        assert!(matches!(error, LinkError::NoSuchInterface { .. }), "{error}");
        assert_eq!(error.to_string(), "nosuchcan7: no such network interface (`ip link show` lists them)");
    }

    #[test]
    fn loopback_is_not_a_can_interface_and_is_left_alone() {
        let error = down("lo").unwrap_err();
        assert!(matches!(error, LinkError::NotCan { link_type: 772, .. }), "{error}");
    }
}
