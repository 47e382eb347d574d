//! Where replayed frames go: `--map SRC=DST` (and can-utils' bare `vcan0=can0` arguments) from a
//! recorded channel to a bus, parsed and opened into the library's [`Outputs`].
//!
//! Without any mapping every frame goes to the one bus the bus options select, with the channel it
//! was recorded on. With mappings, each DST is a channel of the bus the bus options select
//! (`-i socketcan --map 1=vcan0 --map 2=vcan1` opens two SocketCAN buses), or `INTERFACE:CHANNEL`
//! to mix backends; every other bus option applies to each of them. A frame is sent with its
//! destination's channel, and frames of channels no mapping names are not sent: the caller counts
//! them and names each such channel once, as can-utils' canplayer skips them.

use std::fmt;

use anyhow::Context;

use crate::bus::Bus;
use crate::cli::{usage, BusArgs};
use crate::config::{self, normalize_interface};
use crate::frame::Channel;
use crate::replay::Outputs;

/// One `SRC=DST` mapping as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mapping {
    /// The recorded channel: a name, or a number as ASC/BLF number channels (`1`, or `can0`).
    pub source: String,
    /// The backend, when DST says `INTERFACE:CHANNEL`; else the one the bus options select.
    pub interface: Option<String>,
    /// The channel of the destination bus (`vcan0`, a multicast group, a virtual bus name).
    pub channel: String,
}

impl Mapping {
    pub fn parse(spec: &str) -> anyhow::Result<Mapping> {
        let bad = |why: &str| usage(format!("mapping '{spec}': {why} (expected SRC=DST, e.g. 1=vcan0)"));
        let (source, destination) = spec.split_once('=').ok_or_else(|| bad("no '='"))?;
        let (source, destination) = (source.trim(), destination.trim());
        if source.is_empty() {
            return Err(bad("no source channel"));
        }
        // `socketcan:vcan0` names a backend; an IPv6 group such as ff15::1 does not.
        let (interface, channel) = match destination.split_once(':') {
            Some((prefix, rest)) if normalize_interface(prefix).is_some() => {
                (normalize_interface(prefix).map(str::to_string), rest.trim())
            }
            _ => (None, destination),
        };
        if channel.is_empty() {
            return Err(bad("no destination channel"));
        }
        Ok(Mapping { source: source.to_string(), interface, channel: channel.to_string() })
    }

    fn destination(&self) -> String {
        match &self.interface {
            Some(i) => format!("{i}:{}", self.channel),
            None => self.channel.clone(),
        }
    }
}

impl fmt::Display for Mapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.source, self.destination())
    }
}

/// Open the buses: one per distinct destination, or the default bus without mappings.
pub(crate) async fn open_outputs(bus_args: &BusArgs, mappings: &[Mapping]) -> anyhow::Result<Outputs> {
    if mappings.is_empty() {
        return Ok(Outputs::single(open_bus(bus_args, None).await?));
    }
    let mut outputs = Outputs::mapped();
    // Destinations that resolve to the same bus share it.
    let mut keys: Vec<(String, Option<String>)> = Vec::new();
    for m in mappings {
        let mut args = bus_args.clone();
        if m.interface.is_some() {
            args.interface = m.interface.clone();
        }
        args.channel = Some(m.channel.clone());
        let resolved = config::resolve(&args.flag_settings()?)?;
        let key = (resolved.config.interface.clone(), resolved.config.channel.clone());
        let index = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                let bus = open_bus(&args, Some(m)).await?;
                keys.push(key);
                outputs.add(bus, m.destination(), Some(Channel::name(&m.channel)))
            }
        };
        outputs.route_channel(&m.source, index).map_err(usage)?;
    }
    Ok(outputs)
}

/// Open one bus; a failure names the mapping it was for.
async fn open_bus(args: &BusArgs, mapping: Option<&Mapping>) -> anyhow::Result<Bus> {
    let resolved = config::resolve(&args.flag_settings()?)?;
    let bus = Bus::open(&resolved.config).await.and_then(|mut bus| {
        // A player only sends: traffic nobody reads must not fill buffers or wake the runtime.
        bus.stop_receiving()?;
        Ok(bus)
    });
    let bus = match mapping {
        Some(m) => bus.with_context(|| format!("--map {m}"))?,
        None => bus?,
    };
    if args.verbose {
        eprintln!("canplayer: opened {}", bus.describe());
        eprint!("{}", resolved.explain());
    }
    Ok(bus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_parse_with_optional_backend_prefix() {
        let m = Mapping::parse("1=vcan0").unwrap();
        assert_eq!((m.source.as_str(), m.interface, m.channel.as_str()), ("1", None, "vcan0"));
        let m = Mapping::parse("can1=socketcan:vcan1").unwrap();
        assert_eq!((m.interface.as_deref(), m.channel.as_str()), (Some("socketcan"), "vcan1"));
        let m = Mapping::parse("can0=udp:239.74.163.3").unwrap();
        assert_eq!((m.interface.as_deref(), m.channel.as_str()), (Some("udp_multicast"), "239.74.163.3"));
        // An IPv6 group is a channel, not a backend prefix.
        let m = Mapping::parse("2=ff15::1").unwrap();
        assert_eq!((m.interface, m.channel.as_str()), (None, "ff15::1"));
        for bad in ["vcan0", "=vcan0", "1=", "1=socketcan:"] {
            let e = Mapping::parse(bad).unwrap_err();
            assert!(e.to_string().contains(&format!("mapping '{bad}'")), "{e}");
        }
    }
}
