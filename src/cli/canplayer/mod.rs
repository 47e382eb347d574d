//! `canplayer`: replay log files onto one or many buses on schedule ([`crate::replay`]).
//! [`replay`] holds the options, [`mapping`] parses `SRC=DST` and opens the buses, [`summary`]
//! prints what happened.

mod mapping;
pub mod replay;
mod summary;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use super::BusArgs;

const AFTER_HELP: &str = "\
`canplayer replay ...` is the same as `canplayer ...`. With -v, the frames are also printed as \
they are sent, as candump -L lines on stdout.

Files play in the order given, as one sequence: each keeps its recorded spacing from its first \
frame, and the first frame of the next file (or of the next loop) follows the last frame of the \
previous one at once (--gap apart). Any format canlogger convert reads: .asc, .blf, .log \
(candump), .trc, .csv, .db (.gz on text formats); - or no file at all reads a candump log from \
standard input (another format with --from). An argument containing '=' is a channel mapping, \
not a file (use -I for such a file name).

Channels: without a mapping every frame goes to the bus the bus options select. With mappings \
(--map SRC=DST or can-utils' bare SRC=DST), SRC is a recorded channel (a name such as can0, or \
a number as in ASC/BLF, where 1 is also can0), DST a channel of the selected backend or \
INTERFACE:CHANNEL; frames of channels no mapping names are skipped, counted and named once.

Timing: due time = start + (t - t0) / speed on the monotonic clock (never accumulated), with \
--skip cutting long pauses and --gap as a floor between frames. The summary on stderr gives the \
lateness of sends (p50, p99, max) and the drift at the last frame.

Examples:
  canplayer trace.asc                                 # onto the default bus, in real time
  canplayer -i socketcan -I candump.log vcan0=can0     # can-utils style
  canplayer -i socketcan --map 1=vcan0 --map 2=vcan1 trace.blf
  canplayer --speed 4 -s 1 --filter 100:700 -l 3 a.log b.log
  canlogger convert trace.blf - --to log | canplayer -t

Exit codes: 0 done, 1 a malformed record with --strict, 2 usage error (bad arguments, mapping, \
filter, unknown format or interface), 3 a file cannot be read or a bus failed (the summary is \
still printed), 130 interrupted by Ctrl-C or SIGTERM (after the summary).";

/// Replay CAN log files onto one or many buses with their recorded timing.
#[derive(Parser, Debug)]
#[command(
    name = "canplayer",
    version,
    override_usage = "canplayer [replay] [OPTIONS] [FILE|SRC=DST]...",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub bus: BusArgs,
    #[command(flatten)]
    pub replay: replay::ReplayArgs,
}

/// Entry point of the `canplayer` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse_from(without_subcommand_word(std::env::args_os().collect()));
    let bus = cli.bus;
    super::run_main("canplayer", |shutdown| async move { replay::run(&bus, cli.replay, shutdown).await })
}

/// `canplayer replay FILE` is `canplayer FILE`: drop the word `replay` when it stands where the
/// first positional argument would (not as the value of an option such as `--map replay=x`).
/// Which options take a value comes from the clap definition itself.
fn without_subcommand_word(mut args: Vec<OsString>) -> Vec<OsString> {
    let command = Cli::command();
    let takes_value = |token: &str| {
        command.get_arguments().any(|a| {
            a.get_action().takes_values()
                && (a.get_short().is_some_and(|s| token == format!("-{s}"))
                    || a.get_long().is_some_and(|l| token == format!("--{l}"))
                    || a.get_all_short_aliases().into_iter().flatten().any(|s| token == format!("-{s}")))
        })
    };
    let mut i = 1;
    while i < args.len() {
        let Some(token) = args[i].to_str() else { break };
        if token == "--" {
            break;
        }
        if token.starts_with('-') && token.len() > 1 {
            i += if takes_value(token) { 2 } else { 1 };
            continue;
        }
        if token == "replay" {
            args.remove(i);
        }
        break;
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        without_subcommand_word(args).into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn the_replay_word_is_optional_wherever_the_first_positional_stands() {
        assert_eq!(strip(&["canplayer", "replay", "a.log"]), ["canplayer", "a.log"]);
        assert_eq!(
            strip(&["canplayer", "--port", "5", "-t", "replay", "a.log"]),
            ["canplayer", "--port", "5", "-t", "a.log"]
        );
        assert_eq!(strip(&["canplayer", "-I", "replay", "x.log"]), ["canplayer", "-I", "replay", "x.log"]);
        assert_eq!(strip(&["canplayer", "-f", "replay"]), ["canplayer", "-f", "replay"]);
        assert_eq!(strip(&["canplayer", "a.log", "replay"]), ["canplayer", "a.log", "replay"]);
        assert_eq!(strip(&["canplayer", "--speed=2", "replay"]), ["canplayer", "--speed=2"]);
    }
}
