//! Running a script against a card: the [`Transport`] it talks to, the [`Event`]s it reports
//! and the [`Summary`] of what passed and failed.

use std::fmt;

use super::parse::{check_apdu_bytes, Action, Expectation, Program, Step};
use super::pattern::Match;
use super::text::{Located, Origin, Vars};
use super::verb::{Arg, Resolver};

/// The card side of a script run: an in-process card, a vpcd slot or a PC/SC reader.
pub trait Transport {
    /// What can go wrong (I/O, the card's state store …). It ends the run.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Exchange one command APDU for its response (data ‖ SW1 SW2).
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Self::Error>;

    /// Warm reset; returns the ATR.
    fn reset(&mut self) -> Result<Vec<u8>, Self::Error>;
}

/// A borrowed transport is a transport (so a driver can borrow the card link and give it back).
impl<T: Transport + ?Sized> Transport for &mut T {
    type Error = T::Error;

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Self::Error> {
        (**self).transmit(apdu)
    }

    fn reset(&mut self) -> Result<Vec<u8>, Self::Error> {
        (**self).reset()
    }
}

/// The network side of a script's `net` steps (docs/script.md): what a network function
/// (HSS/BSF, NAF, AF, CA …) would send to the card or check from it. It never touches the card —
/// the script sends every APDU itself — and never hands out a key it keeps (Ks, Ks_int_NAF, K_AF
/// stay inside it); vusim-network implements it.
pub trait Network {
    /// Run one step: `words[0]` is the operation, the rest its arguments (variables
    /// substituted). On failure, the message says what is wrong with which argument.
    fn call(&mut self, words: &[String]) -> Result<NetOutput, String>;
}

/// What a `net` step gives back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetOutput {
    /// Variables it sets (upper-case hex, or text), in order.
    pub vars: Vec<(String, String)>,
    /// The bytes an expectation on the step checks (a MAC, a proof …; may be empty).
    pub bytes: Vec<u8>,
}

/// What happened, step by step, for the front end to print.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A command APDU and its response.
    Apdu {
        /// Where the step is.
        at: &'a Origin,
        /// The step as written (an APDU, or a verb line).
        source: &'a str,
        /// The command sent.
        command: &'a [u8],
        /// The response (data ‖ SW1 SW2).
        response: &'a [u8],
    },
    /// A warm reset.
    Reset {
        /// Where the step is.
        at: &'a Origin,
        /// The ATR.
        atr: &'a [u8],
    },
    /// An expectation checked.
    Expectation {
        /// Where the `=>` is.
        at: &'a Origin,
        /// The bytes checked (response or ATR).
        actual: &'a [u8],
        /// The result, with captures.
        result: &'a Match,
    },
    /// `echo`.
    Echo {
        /// Where the step is.
        at: &'a Origin,
        /// The text, variables substituted.
        text: &'a str,
    },
    /// `set`.
    Set {
        /// Where the step is.
        at: &'a Origin,
        /// The variable.
        name: &'a str,
        /// Its new value.
        value: &'a str,
    },
    /// A `net` step.
    Net {
        /// Where the step is.
        at: &'a Origin,
        /// The step as written.
        source: &'a str,
        /// The variables it set.
        vars: &'a [(String, String)],
        /// The bytes an expectation checks.
        bytes: &'a [u8],
    },
    /// `exit`.
    Exit {
        /// Where the step is.
        at: &'a Origin,
    },
}

/// Receives the events of a run.
pub trait Observer {
    /// One event.
    fn event(&mut self, event: &Event<'_>);
}

impl<F: FnMut(&Event<'_>)> Observer for F {
    fn event(&mut self, event: &Event<'_>) {
        self(event)
    }
}

/// An expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Where the expectation is.
    pub at: Origin,
    /// Where the command it checks is (the same line or the one before).
    pub command_at: Origin,
    /// The expected pattern, variables substituted.
    pub expected: String,
    /// The response (or ATR) received.
    pub actual: Vec<u8>,
    /// Offset of the first differing byte, for a pattern without `*`.
    pub differs_at: Option<usize>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.at,
            self.expected,
            hex::encode_upper(&self.actual)
        )?;
        if let Some(d) = self.differs_at {
            write!(f, " (first difference at byte {d})")?;
        }
        Ok(())
    }
}

/// Counts over one or more scripts run by the same [`Runner`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Command APDUs exchanged.
    pub apdus: usize,
    /// Warm resets.
    pub resets: usize,
    /// Expectations checked.
    pub expectations: usize,
    /// Expectations that failed.
    pub failures: Vec<Failure>,
}

/// How a script ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// All steps ran.
    Finished,
    /// An `exit` step ended it.
    Exited,
    /// An expectation failed and the runner does not keep going.
    Stopped,
}

/// A step that could not run: the run ends (exit code 2 in the CLI).
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError<E> {
    /// The transport failed (I/O, state could not be saved …).
    Transport {
        /// The step.
        at: Origin,
        /// The transport's error.
        source: E,
    },
    /// The step cannot be built: an undefined variable, a value that is not hex, an unknown
    /// file name.
    Step {
        /// The step (or expectation) line.
        at: Origin,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl<E: fmt::Display> fmt::Display for RunError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Transport { at, source } => write!(f, "{at}: {source}"),
            RunError::Step {
                at,
                column,
                message,
            } => write!(f, "{}:{}:{column}: {message}", at.file, at.line),
        }
    }
}

/// The transport's error is part of the message, so it is not also a `source()`.
impl<E: std::error::Error + 'static> std::error::Error for RunError<E> {}

fn step_error<E>(at: &Origin, e: Located) -> RunError<E> {
    RunError::Step {
        at: at.clone(),
        column: e.column,
        message: e.message,
    }
}

/// Runs scripts, keeping variables and counts from one script to the next.
pub struct Runner<'r> {
    resolver: &'r dyn Resolver,
    network: Option<&'r mut dyn Network>,
    keep_going: bool,
    vars: Vars,
    summary: Summary,
}

impl<'r> Runner<'r> {
    /// A runner resolving `select` names with `resolver`, stopping at the first failed
    /// expectation.
    pub fn new(resolver: &'r dyn Resolver) -> Runner<'r> {
        Runner {
            resolver,
            network: None,
            keep_going: false,
            vars: Vars::new(),
            summary: Summary::default(),
        }
    }

    /// Keep running after a failed expectation (all failures are reported in the summary).
    pub fn keep_going(mut self, yes: bool) -> Runner<'r> {
        self.keep_going = yes;
        self
    }

    /// The network side `net` steps talk to (without one, a `net` step cannot run).
    pub fn network(mut self, network: &'r mut dyn Network) -> Runner<'r> {
        self.network = Some(network);
        self
    }

    /// Define a variable before the run (e.g. from the command line).
    pub fn set_var(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    /// The variables now.
    pub fn vars(&self) -> &Vars {
        &self.vars
    }

    /// What ran so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Run one script.
    pub fn run<T: Transport>(
        &mut self,
        program: &Program,
        transport: &mut T,
        observer: &mut dyn Observer,
    ) -> Result<Flow, RunError<T::Error>> {
        for step in &program.steps {
            match self.step(step, transport, observer)? {
                Some(flow) => return Ok(flow),
                None => continue,
            }
        }
        Ok(Flow::Finished)
    }

    fn step<T: Transport>(
        &mut self,
        step: &Step,
        transport: &mut T,
        observer: &mut dyn Observer,
    ) -> Result<Option<Flow>, RunError<T::Error>> {
        let at = &step.at;
        let actual = match &step.action {
            Action::Apdu(t) => {
                let text = t.expand(&self.vars).map_err(|e| step_error(at, e))?;
                let command = check_apdu_bytes(&text, t.column()).map_err(|e| step_error(at, e))?;
                self.exchange(step, &command, transport, observer)?
            }
            Action::Verb { verb, column, args } => {
                let args = args
                    .iter()
                    .map(|t| {
                        t.expand(&self.vars).map(|text| Arg {
                            text,
                            column: t.column(),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| step_error(at, e))?;
                let command = verb
                    .build(*column, &args, self.resolver)
                    .map_err(|e| step_error(at, e))?;
                self.exchange(step, &command, transport, observer)?
            }
            Action::Reset => {
                let atr = transport.reset().map_err(|source| RunError::Transport {
                    at: at.clone(),
                    source,
                })?;
                self.summary.resets += 1;
                observer.event(&Event::Reset { at, atr: &atr });
                atr
            }
            Action::Exit => {
                observer.event(&Event::Exit { at });
                return Ok(Some(Flow::Exited));
            }
            Action::Set { name, value } => {
                let value = value.expand(&self.vars).map_err(|e| step_error(at, e))?;
                observer.event(&Event::Set {
                    at,
                    name,
                    value: &value,
                });
                self.vars.insert(name.clone(), value);
                return Ok(None);
            }
            Action::Echo(t) => {
                let text = t.expand(&self.vars).map_err(|e| step_error(at, e))?;
                observer.event(&Event::Echo { at, text: &text });
                return Ok(None);
            }
            Action::Net { column, words } => self.net(step, *column, words, observer)?,
        };
        match &step.expect {
            Some(e) => self.check(step, e, &actual, observer),
            None => Ok(None),
        }
    }

    fn net<E>(
        &mut self,
        step: &Step,
        column: usize,
        words: &[super::text::Template],
        observer: &mut dyn Observer,
    ) -> Result<Vec<u8>, RunError<E>> {
        let at = &step.at;
        let words = words
            .iter()
            .map(|t| t.expand(&self.vars))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| step_error(at, e))?;
        let Some(network) = self.network.as_deref_mut() else {
            return Err(step_error(
                at,
                Located::new(
                    column,
                    "`net` steps need the network side, which `vusim run` and `vusim shell` give the embedded card and a card file (--card)",
                ),
            ));
        };
        let out = network
            .call(&words)
            .map_err(|message| step_error(at, Located::new(column, message)))?;
        for (name, value) in &out.vars {
            self.vars.insert(name.clone(), value.clone());
        }
        observer.event(&Event::Net {
            at,
            source: &step.source,
            vars: &out.vars,
            bytes: &out.bytes,
        });
        Ok(out.bytes)
    }

    fn exchange<T: Transport>(
        &mut self,
        step: &Step,
        command: &[u8],
        transport: &mut T,
        observer: &mut dyn Observer,
    ) -> Result<Vec<u8>, RunError<T::Error>> {
        let response = transport
            .transmit(command)
            .map_err(|source| RunError::Transport {
                at: step.at.clone(),
                source,
            })?;
        self.summary.apdus += 1;
        observer.event(&Event::Apdu {
            at: &step.at,
            source: &step.source,
            command,
            response: &response,
        });
        Ok(response)
    }

    fn check<E>(
        &mut self,
        step: &Step,
        e: &Expectation,
        actual: &[u8],
        observer: &mut dyn Observer,
    ) -> Result<Option<Flow>, RunError<E>> {
        let result = e
            .pattern
            .matches(actual, &self.vars)
            .map_err(|err| step_error(&e.at, err))?;
        self.summary.expectations += 1;
        observer.event(&Event::Expectation {
            at: &e.at,
            actual,
            result: &result,
        });
        if result.passed {
            for (name, value) in result.captures {
                self.vars.insert(name, value);
            }
            return Ok(None);
        }
        self.summary.failures.push(Failure {
            at: e.at.clone(),
            command_at: step.at.clone(),
            expected: result.expected,
            actual: actual.to_vec(),
            differs_at: result.differs_at,
        });
        Ok((!self.keep_going).then_some(Flow::Stopped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::parse::{parse, Loader};
    use crate::script::verb::NoNames;
    use std::path::Path;

    struct NoFiles;
    impl Loader for NoFiles {
        fn read(&mut self, _: &Path) -> std::io::Result<String> {
            Err(std::io::Error::new(std::io::ErrorKind::NotFound, "none"))
        }
    }

    /// Answers `data ‖ 9000` where data echoes P1 P2; `00 20` gives 63C2; reset gives 3B00.
    struct Echo {
        sent: Vec<Vec<u8>>,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("broken")]
    struct Broken;

    impl Transport for Echo {
        type Error = Broken;
        fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Broken> {
            self.sent.push(apdu.to_vec());
            match apdu {
                [_, 0x20, ..] => Ok(vec![0x63, 0xC2]),
                [_, 0xEE, ..] => Err(Broken),
                [_, _, p1, p2, ..] => Ok(vec![*p1, *p2, 0x90, 0x00]),
                _ => Ok(vec![0x67, 0x00]),
            }
        }
        fn reset(&mut self) -> Result<Vec<u8>, Broken> {
            Ok(vec![0x3B, 0x00])
        }
    }

    fn run(
        text: &str,
        keep_going: bool,
    ) -> (Result<Flow, String>, Summary, Vec<Vec<u8>>, Vec<String>) {
        let prog = parse("t.script", text, &mut NoFiles).expect("parses");
        let mut card = Echo { sent: Vec::new() };
        let mut runner = Runner::new(&NoNames).keep_going(keep_going);
        let mut log = Vec::new();
        let r = runner
            .run(&prog, &mut card, &mut |e: &Event<'_>| {
                if let Event::Echo { text, .. } = e {
                    log.push(text.to_string());
                }
            })
            .map_err(|e| e.to_string());
        (r, runner.summary().clone(), card.sent, log)
    }

    #[test]
    fn captures_feed_later_steps() {
        let (r, s, sent, log) = run(
            "00B0 1234 => ${hi:1} ${lo:1} 9000\necho got ${hi}${lo}\n00B0 ${lo} ${hi} 00 => 3412 9000\nreset => 3B ${x:*}\necho [${x}]",
            false,
        );
        assert_eq!(r, Ok(Flow::Finished));
        assert_eq!(s.expectations, 3);
        assert!(s.failures.is_empty());
        assert_eq!(sent.get(1), Some(&vec![0x00, 0xB0, 0x34, 0x12, 0x00]));
        assert_eq!(log, ["got 1234", "[00]"]);
    }

    #[test]
    fn failures_stop_or_keep_going() {
        let text =
            "00B00102 => 9000\n00B00304 => 0304 9000\nverify pin1 1234 => 9000\nexit\n00B00000";
        let (r, s, sent, _) = run(text, false);
        assert_eq!(r, Ok(Flow::Stopped));
        assert_eq!(sent.len(), 1);
        let f = s.failures.first().map(ToString::to_string);
        assert_eq!(
            f.as_deref(),
            Some("t.script:1: expected 9000, got 01029000 (first difference at byte 0)")
        );
        let (r, s, sent, _) = run(text, true);
        assert_eq!(r, Ok(Flow::Exited));
        assert_eq!(sent.len(), 3);
        assert_eq!(s.failures.len(), 2);
    }

    /// `net double HEX` sets `twice` and gives HEX ‖ HEX; anything else is refused.
    struct Doubler;
    impl Network for Doubler {
        fn call(&mut self, words: &[String]) -> Result<NetOutput, String> {
            match words {
                [op, arg] if op == "double" => {
                    let twice = format!("{arg}{arg}");
                    let bytes = hex::decode(&twice).map_err(|e| e.to_string())?;
                    Ok(NetOutput {
                        vars: vec![("twice".into(), twice)],
                        bytes,
                    })
                }
                _ => Err(format!("unknown operation `{}`", words.join(" "))),
            }
        }
    }

    #[test]
    fn net_steps_set_variables_and_take_expectations() {
        let text = "set x AB\nnet double ${x} => ABAB\n00B0 ${twice} => * 9000\nnet double ${x} => ABAC\nnet nope";
        let prog = parse("t.script", text, &mut NoFiles).expect("parses");
        let mut card = Echo { sent: Vec::new() };
        let mut net = Doubler;
        let mut runner = Runner::new(&NoNames).keep_going(true).network(&mut net);
        let r = runner
            .run(&prog, &mut card, &mut |_: &Event<'_>| {})
            .map_err(|e| e.to_string());
        assert_eq!(r, Err("t.script:5:5: unknown operation `nope`".to_string()));
        assert_eq!(card.sent, vec![vec![0x00, 0xB0, 0xAB, 0xAB]]);
        let s = runner.summary();
        assert_eq!(s.expectations, 3);
        assert_eq!(s.failures.len(), 1);
        assert_eq!(s.failures[0].actual, vec![0xAB, 0xAB]);
        // Without a network side, a `net` step cannot run.
        let (r, ..) = run("net double AB", false);
        assert!(r
            .expect_err("no network")
            .starts_with("t.script:1:5: `net` steps need the network side"));
        // `net` alone is a syntax error.
        let e = parse("t.script", "net", &mut NoFiles).expect_err("usage");
        assert!(e.to_string().contains("usage: net OPERATION"), "{e}");
    }

    #[test]
    fn step_errors() {
        let (r, ..) = run("echo ${nope}", false);
        assert!(r
            .expect_err("undefined")
            .starts_with("t.script:1:6: undefined variable `nope`"));
        let (r, ..) = run("set x zz\n00B0 ${x}", false);
        assert!(r
            .expect_err("not hex")
            .starts_with("t.script:2:1: APDU is not hex"));
        let (r, ..) = run("00EE0000", false);
        assert_eq!(r, Err("t.script:1: broken".to_string()));
        let (r, ..) = run("select EF.IMSI", false);
        assert!(r
            .expect_err("no names")
            .starts_with("t.script:1:8: no file names"));
    }
}
