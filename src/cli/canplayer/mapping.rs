//! Where replayed frames go: `--map SRC=DST` (and can-utils' bare `vcan0=can0` arguments) from a
//! recorded channel to a bus, the buses themselves, and per-bus counts.
//!
//! Without any mapping every frame goes to the one bus the bus options select, with the channel it
//! was recorded on. With mappings, each DST is a channel of the bus the bus options select
//! (`-i socketcan --map 1=vcan0 --map 2=vcan1` opens two SocketCAN buses), or `INTERFACE:CHANNEL`
//! to mix backends; every other bus option applies to each of them. A frame is sent with its
//! destination's channel, and frames of channels no mapping names are not sent: the caller counts
//! them and names each such channel once, as can-utils' canplayer skips them.

use std::fmt;

use crate::bus::Bus;
use crate::cli::canlogger::convert::channel_matches;
use crate::cli::{BusArgs, CliError};
use crate::config::{self, normalize_interface};
use crate::frame::{Channel, Frame};

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
    pub fn parse(spec: &str) -> Result<Mapping, CliError> {
        let bad =
            |why: &str| CliError::Usage(format!("mapping '{spec}': {why} (expected SRC=DST, e.g. 1=vcan0)"));
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

/// An open destination bus.
pub(crate) struct Output {
    pub bus: Bus,
    /// How the summary names it: the DST as given, or what the bus says it is.
    pub name: String,
    /// The channel frames are sent with; `None` keeps the recorded one (no mappings).
    pub channel: Option<Channel>,
    pub sent: u64,
}

/// Every destination bus and the routes to them.
pub(crate) struct Outputs {
    pub buses: Vec<Output>,
    /// `(recorded channel, index into buses)`; empty = everything to `buses[0]`.
    routes: Vec<(String, usize)>,
    /// Channels already routed (or found unmapped), so the strings are compared once per channel.
    seen: Vec<(Channel, Option<usize>)>,
}

impl Outputs {
    /// Open the buses: one per distinct destination, or the default bus without mappings.
    pub async fn open(bus_args: &BusArgs, mappings: &[Mapping]) -> Result<Outputs, CliError> {
        let mut outputs = Outputs { buses: Vec::new(), routes: Vec::new(), seen: Vec::new() };
        if mappings.is_empty() {
            let bus = open_bus(bus_args, None).await?;
            let name = bus.describe();
            outputs.buses.push(Output { bus, name, channel: None, sent: 0 });
            return Ok(outputs);
        }
        // Destinations that resolve to the same bus share it.
        let mut keys: Vec<(String, Option<String>)> = Vec::new();
        for m in mappings {
            if outputs.routes.iter().any(|(source, _)| source == &m.source) {
                return Err(CliError::Usage(format!("channel {} is mapped twice", m.source)));
            }
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
                    outputs.buses.push(Output {
                        bus,
                        name: m.destination(),
                        channel: Some(Channel::name(&m.channel)),
                        sent: 0,
                    });
                    outputs.buses.len() - 1
                }
            };
            outputs.routes.push((m.source.clone(), index));
        }
        Ok(outputs)
    }

    /// The bus a frame goes to, `None` when its channel is not mapped.
    pub fn route(&mut self, frame: &Frame) -> Option<usize> {
        if self.routes.is_empty() {
            return Some(0);
        }
        if let Some((_, to)) = self.seen.iter().find(|(c, _)| *c == frame.channel) {
            return *to;
        }
        let to = self
            .routes
            .iter()
            .find(|(source, _)| channel_matches(std::slice::from_ref(source), &frame.channel))
            .map(|(_, to)| *to);
        self.seen.push((frame.channel, to));
        to
    }

    /// Per-bus counts for the summary.
    pub fn counts(&self) -> Vec<(String, u64)> {
        self.buses.iter().map(|o| (o.name.clone(), o.sent)).collect()
    }
}

/// Open one bus; a failure names the mapping it was for.
async fn open_bus(args: &BusArgs, mapping: Option<&Mapping>) -> Result<Bus, CliError> {
    let resolved = config::resolve(&args.flag_settings()?)?;
    let bus = match Bus::open(&resolved.config).await {
        Ok(bus) => bus,
        Err(e) => {
            let Some(m) = mapping else { return Err(e.into()) };
            let error = CliError::from(e);
            return Err(match error.exit_code() {
                crate::cli::exit::USAGE => CliError::Usage(format!("--map {m}: {error}")),
                _ => CliError::Io {
                    context: format!("--map {m}"),
                    source: std::io::Error::other(error.to_string()),
                },
            });
        }
    };
    if args.verbose {
        eprintln!("canplayer: opened {}", bus.describe());
        eprint!("{}", resolved.explain());
    }
    Ok(bus)
}

/// How a channel is named in messages.
pub(crate) fn channel_label(channel: &Channel) -> String {
    if channel.is_none() {
        "(no channel)".to_string()
    } else if let Some(n) = channel.as_number() {
        format!("{n} (can{})", n.saturating_sub(1))
    } else {
        channel.to_string()
    }
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

    #[tokio::test]
    async fn frames_route_by_name_or_number_and_unmapped_channels_go_nowhere() {
        let args = BusArgs { interface: Some("virtual".into()), ..BusArgs::default() };
        let maps: Vec<Mapping> = ["can0=route-a", "can1=route-b", "vcan7=route-a"]
            .iter()
            .map(|s| Mapping::parse(s).unwrap())
            .collect();
        let mut outputs = Outputs::open(&args, &maps).await.unwrap();
        assert_eq!(outputs.buses.len(), 2, "route-a is opened once");
        let frame = |c: Channel| Frame::new_data(1, false, &[]).unwrap().with_channel(c);
        // Number 1 is can0 in candump lines; number 2 is can1.
        assert_eq!(outputs.route(&frame(Channel::number(1))), Some(0));
        assert_eq!(outputs.route(&frame(Channel::number(2))), Some(1));
        assert_eq!(outputs.route(&frame(Channel::name("can1"))), Some(1));
        assert_eq!(outputs.route(&frame(Channel::name("vcan7"))), Some(0));
        assert_eq!(outputs.route(&frame(Channel::name("can2"))), None);
        assert_eq!(outputs.route(&frame(Channel::number(3))), None);
        assert_eq!(outputs.route(&frame(Channel::NONE)), None);
        assert_eq!(outputs.route(&frame(Channel::number(1))), Some(0), "cached answer");
        assert_eq!(channel_label(&Channel::number(3)), "3 (can2)");
        let dup: Vec<Mapping> = ["1=a", "1=b"].iter().map(|s| Mapping::parse(s).unwrap()).collect();
        assert!(Outputs::open(&args, &dup).await.is_err());
    }
}
