//! `vusim run`: run APDU scripts (docs/script.md) on one powered card.
//!
//! The output (text, or JSON Lines with `--json`) is the session log of
//! [`vusim_apdu::script::log`], whose doc lists the JSON event types.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use vusim_apdu::annotate::{Annotator, FileNames};
use vusim_apdu::script::log::Log;
use vusim_apdu::script::{self, Event, Flow, FsLoader, Observer, Program, Runner};
use vusim_applet::fs::names::TABLE_NAMES;
use vusim_applet::fs::resolve::TableResolver;
use vusim_applet::store::DurableCard;
use vusim_network::diagram::script::ScriptDiagram;
use vusim_network::script_net::ScriptNetwork;

use crate::out::Out;

/// Arguments of `vusim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The card: file, hold, transport.
    #[command(flatten)]
    pub session: super::send::CardSession,
    /// Output, failures and variables.
    #[command(flatten)]
    pub opts: RunOpts,
    /// The run as a sequence diagram (FILE.mmd or FILE.svg): every APDU and `net` step, names
    /// only.
    #[command(flatten)]
    pub diagram: super::DiagramArg,
    /// Script files, run in order on the same card; variables carry over from one to the next.
    #[arg(required = true, value_name = "SCRIPT")]
    pub scripts: Vec<PathBuf>,
}

/// How a run reports and goes on (`vusim run`, `vusim pcsc run`).
#[derive(Debug, Args)]
pub struct RunOpts {
    /// JSON Lines: one object per event, with a `type` key.
    #[arg(long)]
    pub json: bool,
    /// Run on after a failed expectation and report every failure (exit 1 if any).
    #[arg(long)]
    pub keep_going: bool,
    /// Define a variable before the scripts run (repeatable), e.g. `--set pin=1234`.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

/// Prints a session's log (`vusim_apdu::script::log`) as it comes, buffered (flushed per event
/// on a terminal).
pub(crate) struct Printer {
    log: Log<'static>,
    /// Standard output.
    pub(crate) out: Out,
}

impl Printer {
    /// A printer for text (`json` false) or JSON Lines whose annotator names files and applet
    /// instructions from `names` (a card's [`CardNames`](vusim_applet::card::CardNames)).
    pub(crate) fn named(json: bool, names: &'static dyn FileNames) -> Printer {
        Printer {
            log: Log::new(json, Annotator::new(names)),
            out: Out::new(),
        }
    }

    /// Render with the log and write the lines at once.
    pub(crate) fn print(&mut self, render: impl FnOnce(&mut Log<'static>, &mut String)) {
        let log = &mut self.log;
        self.out.text(|t| render(log, t));
        self.out.end_of_exchange();
    }
}

impl Observer for Printer {
    fn event(&mut self, event: &Event<'_>) {
        self.print(|log, t| log.event(t, event));
    }
}

/// Scripts loaded and checked, with the `--set NAME=VALUE` variables: everything that can fail
/// before the card is touched.
pub(crate) struct Loaded {
    programs: Vec<Program>,
    vars: Vec<(String, String)>,
    resolver: TableResolver,
}

/// Load and check every script (includes, syntax, file names) and parse `--set` values.
pub(crate) fn load_scripts(paths: &[PathBuf], vars: &[String]) -> anyhow::Result<Loaded> {
    let resolver = TableResolver::new();
    let mut programs = Vec::with_capacity(paths.len());
    for path in paths {
        let program = script::load(path, &mut FsLoader)?;
        program.check(&resolver)?;
        programs.push(program);
    }
    let mut parsed = Vec::with_capacity(vars.len());
    for v in vars {
        let Some((name, value)) = v.split_once('=') else {
            bail!("--set {v:?}: expected NAME=VALUE");
        };
        if !script::is_var_name(name) {
            bail!("--set {v:?}: `{name}` is not a variable name (letters, digits and `_`, not starting with a digit)");
        }
        parsed.push((name.to_string(), value.to_string()));
    }
    Ok(Loaded {
        programs,
        vars: parsed,
        resolver,
    })
}

/// Run loaded scripts on a powered card (any transport: the in-process card, a reader),
/// printing events as text or JSON Lines; the exit code is 1 if an expectation failed.
pub(crate) fn run_loaded<T: script::Transport>(
    loaded: &Loaded,
    transport: &mut T,
    network: Option<&mut dyn script::Network>,
    mut also: Option<&mut dyn Observer>,
    atr: &[u8],
    opts: &RunOpts,
    names: &'static dyn FileNames,
) -> anyhow::Result<ExitCode> {
    let mut printer = Printer::named(opts.json, names);
    printer.print(|log, t| log.power_on(t, atr));
    let mut runner = Runner::new(&loaded.resolver).keep_going(opts.keep_going);
    if let Some(n) = network {
        runner = runner.network(n);
    }
    for (name, value) in &loaded.vars {
        runner.set_var(name.clone(), value.clone());
    }
    let mut scripts = 0;
    let mut stopped = false;
    for program in &loaded.programs {
        scripts += 1;
        printer.print(|log, t| log.script(t, &program.name));
        let mut tee = |e: &Event<'_>| {
            printer.event(e);
            if let Some(o) = also.as_deref_mut() {
                o.event(e);
            }
        };
        if runner.run(program, transport, &mut tee)? == Flow::Stopped {
            stopped = true;
            break;
        }
    }
    let s = runner.summary();
    let total = loaded.programs.len();
    printer.print(|log, t| log.summary(t, scripts, total, s, stopped));
    printer.out.finish().context("writing to standard output")?;
    for f in &s.failures {
        eprintln!("vusim: {f}");
    }
    Ok(if s.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The network side of `net` steps for the subscriber of an in-process card.
pub(crate) fn script_network(
    card: &DurableCard,
    file: Option<PathBuf>,
) -> anyhow::Result<ScriptNetwork> {
    let clock = card.card().clock();
    Ok(ScriptNetwork::new(
        card.profile(),
        file,
        Box::new(move || clock.now()),
    )?)
}

/// Run `vusim run`.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scripts(&args.scripts, &args.opts.vars)?;
    let (mut card, atr) = args.session.open()?;
    let names = card_names(&card);
    let mut network = script_network(&card, args.session.card.clone())?;
    let mut diagram = ScriptDiagram::new();
    let code = run_loaded(
        &loaded,
        &mut card,
        Some(&mut network),
        Some(&mut diagram),
        &atr,
        &args.opts,
        names,
    );
    crate::report::write_diagrams(&args.diagram.files, diagram.diagram())?;
    code
}

/// The file table plus the instruction names `card`'s applets declare, for the annotator of
/// this process's one session (leaked: it lives as long as the process).
pub(crate) fn card_names(card: &vusim_applet::store::DurableCard) -> &'static dyn FileNames {
    let names = vusim_applet::card::CardNames::of(card.card());
    if names.instructions.is_empty() {
        return &TABLE_NAMES;
    }
    Box::leak(Box::new(names))
}
