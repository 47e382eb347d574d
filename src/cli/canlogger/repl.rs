//! `canlogger repl`: the interactive console ([`crate::repl`]) on the bus the options select,
//! shared through a hub. At a terminal: line editing, history, Tab completion, live frames above
//! the prompt. From a pipe or a file: one command a line, and the last command's status as the
//! exit status, for scripts.

use std::path::PathBuf;

use clap::Args;

use crate::bus::hub::Hub;
use crate::cli::{BusArgs, FormatArgs};
use crate::repl::{self, ReplOptions};
use crate::shutdown::Shutdown;

const AFTER_HELP: &str = "\
Commands (help in the repl tells more; help COMMAND for one):
  send FRAME... | send ID [BYTES...] [ext|std] [rtr]   send 123#DEADBEEF 7E0#0201, send 0x7DF 02 01 0C
  on [ID|FILTER [D0 [D1]]]      print every frame that matches; alone: list the matches
  off N|all                     remove match N, or every match
  watch [on|off]                print every frame that passes the filter; alone: toggle
  wait ID|FILTER [D0 [D1]] [TIMEOUT]   wait for a matching frame and print it (5s; status 1 on timeout)
  sleep DURATION                let frames print for a while
  filter [EXPR...|off]          candump filters for watch: 123:7FF 400~7F0 #FFFFFFFF j
  stats | bus | help [COMMAND] | quit
Ids and bytes are hex as in can-utils (0x optional, 0n for decimal); python caneth's repl syntax
works too (send 0x123 01 02 03 ext, on 0x7E8 03, wait 0x7E8 03 41 2.5, list, unwatch N|all).

At a terminal: Tab completes, Up recalls (history in $XDG_STATE_HOME/cankit/repl_history, else
~/.local/state/cankit/repl_history), Ctrl-C abandons the line or cancels a wait, Ctrl-C twice on an
empty line or Ctrl-D leaves. From a pipe: no prompt, blank lines and # comments skipped, each
command finished before the next is read; errors go to stderr as 'canlogger: line N: ...' and
the repl goes on.

Exit status: the last command's: 0 success, 1 a wait timed out, 2 a line that is not a valid
command, 3 bus failure, 130 a wait cut short by Ctrl-C or SIGTERM.

Examples:
  canlogger repl
  canlogger repl --watch --format log
  printf 'send 7DF#0201\\nwait 7E8 2s\\n' | canlogger repl && echo answered
  canlogger -i socketcan -c can0 repl < commands.txt";

/// Interactive console: send, watch, match and wait for frames
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct ReplArgs {
    #[command(flatten)]
    pub format: FormatArgs,
    /// Start with watch on: every frame is printed
    #[arg(long = "watch")]
    pub watch: bool,
    /// History file [default: $XDG_STATE_HOME/cankit/repl_history, else
    /// ~/.local/state/cankit/repl_history]
    #[arg(long = "history", value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Keep no history
    #[arg(long = "no-history", conflicts_with = "history")]
    pub no_history: bool,
}

/// Open the bus, share it through a hub and run the repl on it; `interactive`: standard input is
/// a terminal.
pub async fn run(
    bus_args: &BusArgs,
    args: ReplArgs,
    interactive: bool,
    shutdown: Shutdown,
) -> anyhow::Result<u8> {
    let hub = Hub::new(bus_args.open("canlogger").await?);
    let defaults = ReplOptions::new("canlogger");
    let history = if args.no_history { None } else { args.history.or(defaults.history) };
    let options =
        ReplOptions { printer: args.format.printer(), history, interactive, watch: args.watch, ..defaults };
    Ok(repl::run(&hub, options, shutdown).await?)
}
