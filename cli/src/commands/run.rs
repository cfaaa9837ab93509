//! `vusim run`: run APDU scripts (docs/script.md) on one powered card.
//!
//! Text output shows each step's origin, the APDU, the response and its meaning, and each
//! expectation; `--json` prints JSON Lines, one object per event with a `type` key:
//!
//! | `type` | keys |
//! |---|---|
//! | `power_on` | `atr` |
//! | `script` | `file` |
//! | `apdu` | `file`, `line`, `source`, `command`, `description`, `data`, `sw`, `meaning` |
//! | `reset` | `file`, `line`, `atr` |
//! | `expectation` | `file`, `line`, `passed`, `expected`, `actual`, `captures`, `differs_at` |
//! | `echo` | `file`, `line`, `text` |
//! | `set` | `file`, `line`, `name`, `value` |
//! | `net` | `file`, `line`, `source`, `set` (the variables it set), `gives` (the bytes an expectation checks) |
//! | `exit` | `file`, `line` |
//! | `summary` | `scripts`, `apdus`, `resets`, `expectations`, `failed`, `passed`, `stopped` |
//!
//! Kinds may be added; readers should skip types they do not know.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use serde_json::{json, Value};
use vusim_apdu::script::{self, Event, Flow, FsLoader, Observer, Program, Runner};
use vusim_apdu::Response;
use vusim_applet::store::{DurableCard, StoreError};
use vusim_network::diagram::script::ScriptDiagram;
use vusim_network::script_net::ScriptNetwork;

use super::send::{exchange_json, write_exchange};
use crate::out::Out;
use crate::outln;
use crate::resolver::TableResolver;
use vusim_apdu::annotate::{Annotator, FileNames};
use vusim_applet::fs::names::TABLE_NAMES;

/// Arguments of `vusim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The card: file, hold, transport.
    #[command(flatten)]
    pub session: super::send::CardSession,
    /// JSON Lines: one object per event, with a `type` key.
    #[arg(long)]
    pub json: bool,
    /// Run on after a failed expectation and report every failure (exit 1 if any).
    #[arg(long)]
    pub keep_going: bool,
    /// Define a variable before the scripts run (repeatable), e.g. `--set pin=1234`.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// The run as a sequence diagram (FILE.mmd or FILE.svg): every APDU and `net` step, names
    /// only.
    #[command(flatten)]
    pub diagram: super::DiagramArg,
    /// Script files, run in order on the same card; variables carry over from one to the next.
    #[arg(required = true, value_name = "SCRIPT")]
    pub scripts: Vec<PathBuf>,
}

/// The in-process card as the script runner's transport; every response leaves after the
/// state it depends on is saved.
pub(crate) struct CardLink<'a>(pub(crate) &'a mut DurableCard);

impl script::Transport for CardLink<'_> {
    type Error = StoreError;

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.0.transmit(apdu)
    }

    fn reset(&mut self) -> Result<Vec<u8>, StoreError> {
        Ok(self.0.card_mut().reset())
    }
}

/// Prints events as text or JSON Lines, buffered (flushed per event on a terminal).
pub(crate) struct Printer {
    json: bool,
    /// The last step was a reset: an expectation then checks an ATR, which has no status word.
    after_reset: bool,
    /// Standard output.
    pub(crate) out: Out,
    /// Names files in the session's DF context.
    ann: Annotator<'static>,
}

impl Printer {
    /// A printer for text (`json` false) or JSON Lines whose annotator names files and applet instructions from `names` (a card's
    /// [`CardNames`](vusim_applet::card::CardNames)).
    pub(crate) fn named(json: bool, names: &'static dyn FileNames) -> Printer {
        Printer {
            json,
            after_reset: false,
            out: Out::new(),
            ann: Annotator::new(names),
        }
    }

    fn emit(&mut self, v: Value) {
        outln!(self.out, "{v}");
    }
}

fn status_meaning(bytes: &[u8]) -> String {
    match Response::parse(bytes) {
        Ok(r) => format!(" ({} {})", r.sw, r.sw.meaning()),
        Err(_) => String::new(),
    }
}

impl Observer for Printer {
    fn event(&mut self, event: &Event<'_>) {
        match *event {
            Event::Apdu { .. } => self.after_reset = false,
            Event::Reset { .. } => {
                self.after_reset = true;
                self.ann.reset();
            }
            _ => {}
        }
        match *event {
            Event::Apdu {
                at,
                source,
                command,
                response,
            } => {
                if self.json {
                    let mut m = exchange_json(&mut self.ann, command, response);
                    m.insert("type".into(), json!("apdu"));
                    m.insert("file".into(), json!(&*at.file));
                    m.insert("line".into(), json!(at.line));
                    m.insert("source".into(), json!(source));
                    self.emit(Value::Object(m));
                } else {
                    let written_as_hex = vusim_apdu::hexstr::parse_hex(source).is_ok();
                    if written_as_hex {
                        outln!(self.out, "-- {at}");
                    } else {
                        outln!(self.out, "-- {at}: {source}");
                    }
                    let ann = &mut self.ann;
                    self.out.text(|t| write_exchange(ann, t, command, response));
                }
            }
            Event::Reset { at, atr } => {
                if self.json {
                    self.emit(json!({"type": "reset", "file": &*at.file, "line": at.line,
                                     "atr": hex::encode_upper(atr)}));
                } else {
                    outln!(self.out, "-- {at}: reset");
                    outln!(self.out, "  ATR {}", hex::encode_upper(atr));
                }
            }
            Event::Expectation { at, actual, result } => {
                if self.json {
                    let captures: serde_json::Map<String, Value> = result
                        .captures
                        .iter()
                        .map(|(k, v)| (k.clone(), json!(v)))
                        .collect();
                    self.emit(
                        json!({"type": "expectation", "file": &*at.file, "line": at.line,
                                     "passed": result.passed, "expected": result.expected,
                                     "actual": hex::encode_upper(actual), "captures": captures,
                                     "differs_at": result.differs_at}),
                    );
                } else if result.passed {
                    outln!(self.out, "  ok");
                    for (k, v) in &result.captures {
                        outln!(self.out, "  {k} = {v}");
                    }
                } else {
                    outln!(self.out, "  FAILED at {at}");
                    outln!(self.out, "    expected {}", result.expected);
                    let meaning = if self.after_reset {
                        String::new()
                    } else {
                        status_meaning(actual)
                    };
                    outln!(
                        self.out,
                        "    got      {}{meaning}",
                        hex::encode_upper(actual)
                    );
                    if let Some(d) = result.differs_at {
                        outln!(self.out, "    first difference at byte {d}");
                    }
                }
            }
            Event::Echo { at, text } => {
                if self.json {
                    self.emit(
                        json!({"type": "echo", "file": &*at.file, "line": at.line, "text": text}),
                    );
                } else {
                    outln!(self.out, "{text}");
                }
            }
            Event::Set { at, name, value } if self.json => {
                self.emit(json!({"type": "set", "file": &*at.file, "line": at.line,
                                 "name": name, "value": value}));
            }
            Event::Net {
                at,
                source,
                vars,
                bytes,
            } => {
                if self.json {
                    let set: serde_json::Map<String, Value> =
                        vars.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    self.emit(json!({"type": "net", "file": &*at.file, "line": at.line,
                                     "source": source, "set": set,
                                     "gives": hex::encode_upper(bytes)}));
                } else {
                    outln!(self.out, "-- {at}: {source}");
                    for (k, v) in vars.iter() {
                        outln!(self.out, "  {k} = {v}");
                    }
                }
            }
            Event::Exit { at } => {
                if self.json {
                    self.emit(json!({"type": "exit", "file": &*at.file, "line": at.line}));
                } else {
                    outln!(self.out, "-- {at}: exit");
                }
            }
            _ => {}
        }
        self.out.end_of_exchange();
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
#[allow(
    clippy::too_many_arguments,
    reason = "the parts of one run, most of them optional"
)]
pub(crate) fn run_loaded<T: script::Transport>(
    loaded: &Loaded,
    transport: &mut T,
    network: Option<&mut dyn script::Network>,
    mut also: Option<&mut dyn Observer>,
    atr: &[u8],
    json: bool,
    keep_going: bool,
    names: &'static dyn FileNames,
) -> anyhow::Result<ExitCode> {
    let mut printer = Printer::named(json, names);
    if json {
        printer.emit(json!({"type": "power_on", "atr": hex::encode_upper(atr)}));
    } else {
        outln!(printer.out, "power on: ATR {}", hex::encode_upper(atr));
    }
    let mut runner = Runner::new(&loaded.resolver).keep_going(keep_going);
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
        if json {
            printer.emit(json!({"type": "script", "file": &*program.name}));
        } else {
            outln!(printer.out, "== {}", program.name);
        }
        let mut tee = |e: &Event<'_>| {
            printer.event(e);
            if let Some(o) = also.as_deref_mut() {
                o.event(e);
            }
        };
        let flow = runner.run(program, transport, &mut tee)?;
        if flow == Flow::Stopped {
            stopped = true;
            break;
        }
    }
    let s = runner.summary();
    let failed = s.failures.len();
    if json {
        printer.emit(
            json!({"type": "summary", "scripts": scripts, "apdus": s.apdus,
                            "resets": s.resets, "expectations": s.expectations,
                            "failed": failed, "passed": failed == 0, "stopped": stopped}),
        );
    } else {
        let verdict = if failed == 0 {
            "all passed".to_string()
        } else {
            format!("{failed} failed")
        };
        outln!(
            printer.out,
            "== {scripts} script(s), {} APDU(s), {} reset(s), {} expectation(s): {verdict}",
            s.apdus,
            s.resets,
            s.expectations
        );
        let total = loaded.programs.len();
        if stopped && total > scripts {
            outln!(
                printer.out,
                "== stopped at the first failure; {} script(s) not run (--keep-going runs on)",
                total - scripts
            );
        }
    }
    printer.out.finish().context("writing to standard output")?;
    for f in &s.failures {
        eprintln!("vusim: {f}");
    }
    Ok(if failed == 0 {
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
    let loaded = load_scripts(&args.scripts, &args.vars)?;
    let (mut card, atr) = args.session.open()?;
    let names = card_names(&card);
    let mut network = script_network(&card, args.session.card.clone())?;
    let mut diagram = ScriptDiagram::new();
    let code = run_loaded(
        &loaded,
        &mut CardLink(&mut card),
        Some(&mut network),
        Some(&mut diagram),
        &atr,
        args.json,
        args.keep_going,
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
