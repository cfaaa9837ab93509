//! Invariants shared by the cargo-fuzz targets and the corpus replay in the normal test run.
//!
//! Each function panics if an invariant breaks, which is what a fuzzer reports; on well-behaved
//! code it returns normally for every input.

use crate::atr::Atr;
use crate::command::Command;
use crate::tlv::{CompactTlv, Node, Tlv};

/// `Command::parse` never panics, and whatever it accepts encodes back to the same bytes.
pub fn command_roundtrip(data: &[u8]) {
    match Command::parse(data) {
        Ok(cmd) => {
            assert_eq!(cmd.encode(), data, "encode(parse(x)) != x for {cmd:?}");
            let _ = crate::annotate::describe_command(&cmd);
        }
        Err(e) => {
            let sw = e.status_word();
            assert!(sw.is_error(), "parse error {e} maps to non-error {sw}");
        }
    }
}

/// The BER-TLV parsers never panic; each parsed object re-encodes and re-parses to itself.
pub fn tlv_roundtrip(data: &[u8]) {
    if let Ok(list) = Tlv::parse_all(data) {
        for t in &list {
            let enc = t.encode();
            let (again, rest) = Tlv::parse(&enc).expect("re-parse of an encoded TLV");
            assert!(rest.is_empty());
            assert_eq!(&again, t);
        }
    }
    if let Ok(tree) = Node::parse_tree(data) {
        for n in &tree {
            let flat = n.to_tlv().encode();
            let again = Node::parse_tree(&flat).expect("re-parse of an encoded tree");
            assert_eq!(again.first(), Some(n));
        }
    }
    let _ = CompactTlv::parse_all(data);
    if let Ok(atr) = Atr::parse(data) {
        assert_eq!(atr.encode(), data, "ATR re-encoding differs");
    }
}

/// The script parser (`script::parse`) never panics, whatever the text and whatever its
/// includes read; a parsed program survives [`Program::check`](crate::script::Program::check)
/// and a run against a mirror card without panicking; and it re-parses identically when printed
/// back (each step's source with its expectation pattern rendered by `Pattern`'s `Display` on
/// the same line): same sources, same actions and patterns (columns aside).
///
/// The input is one or more scripts separated by NUL bytes (a NUL is never valid script text),
/// so one corpus file can hold several scripts that each stop at a different syntax error.
/// Script text that is not UTF-8 is read lossily.
pub fn script_parse(data: &[u8]) {
    for script in data.split(|b| *b == 0) {
        script_parse_one(script);
    }
}

fn script_parse_one(data: &[u8]) {
    use crate::script::{parse, Action, Event, Pattern, Runner};

    let text = String::from_utf8_lossy(data);
    let mut loader = script_fuzz::SameText(text.to_string());
    let Ok(program) = parse("fuzz.script", &text, &mut loader) else {
        return;
    };
    let _ = program.check(&script_fuzz::AnyNames);

    // Print the program back, one line per step, and parse it again.
    let mut printed = String::new();
    for step in &program.steps {
        printed.push_str(&step.source);
        if let Some(e) = &step.expect {
            printed.push_str(" => ");
            printed.push_str(&e.pattern.to_string());
        }
        printed.push('\n');
    }
    let again = parse("printed.script", &printed, &mut script_fuzz::NoFiles)
        .unwrap_or_else(|e| panic!("printed program does not parse: {e}\n{printed}"));
    assert_eq!(
        again.steps.len(),
        program.steps.len(),
        "printed program has another number of steps:\n{printed}"
    );
    for (a, b) in program.steps.iter().zip(&again.steps) {
        assert_eq!(a.source, b.source, "source changed");
        assert_eq!(
            script_fuzz::without_columns(&format!("{:?}", a.action)),
            script_fuzz::without_columns(&format!("{:?}", b.action)),
            "action of `{}` changed",
            a.source
        );
        let pa = a.expect.as_ref().map(|e| &e.pattern);
        let pb = b.expect.as_ref().map(|e| &e.pattern);
        assert_eq!(
            pa.map(|p| script_fuzz::without_columns(&format!("{p:?}"))),
            pb.map(|p| script_fuzz::without_columns(&format!("{p:?}"))),
            "pattern of `{}` changed",
            a.source
        );
        if let Some(p) = pa {
            let shown = p.to_string();
            let reparsed = Pattern::parse(&shown)
                .unwrap_or_else(|e| panic!("pattern `{shown}` does not re-parse: {e:?}"));
            assert_eq!(reparsed.to_string(), shown, "pattern display is not stable");
        }
    }

    // `set` with variables can double a value per line (2^n bytes): not run, the parse above
    // covers it.
    let grows = program
        .steps
        .iter()
        .any(|s| matches!(&s.action, Action::Set { value, .. } if value.has_vars()));
    if grows {
        return;
    }
    let mut runner = Runner::new(&script_fuzz::AnyNames).keep_going(true);
    let _ = runner.run(&program, &mut script_fuzz::Mirror, &mut |_: &Event<'_>| {});
    let s = runner.summary();
    assert!(
        s.failures.len() <= s.expectations,
        "more failures than expectations"
    );
    assert!(
        s.apdus + s.resets <= program.steps.len(),
        "more exchanges than steps"
    );
}

/// The loader, resolver and transport of the script fuzz target.
mod script_fuzz {
    use std::io;
    use std::path::Path;

    use crate::script::{Loader, Resolver, SelectTarget, Transport};

    /// Every include reads the fuzz input again (recursing until the cycle or depth check).
    pub(super) struct SameText(pub(super) String);

    impl Loader for SameText {
        fn read(&mut self, _path: &Path) -> io::Result<String> {
            Ok(self.0.clone())
        }
    }

    /// No include can be read.
    pub(super) struct NoFiles;

    impl Loader for NoFiles {
        fn read(&mut self, path: &Path) -> io::Result<String> {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: no files here", path.display()),
            ))
        }
    }

    /// Resolves every name to a target derived from its bytes (an error for names starting
    /// with `X`, so both paths are exercised).
    pub(super) struct AnyNames;

    impl Resolver for AnyNames {
        fn resolve(&self, name: &str) -> Result<SelectTarget, String> {
            let sum = name
                .bytes()
                .fold(0u16, |a, b| a.rotate_left(3) ^ u16::from(b));
            if name.starts_with('X') {
                Err(format!("unknown file `{name}`"))
            } else if name.contains('/') {
                Ok(SelectTarget::Path(
                    name.split('/').map(|p| p.len() as u16 ^ sum).collect(),
                ))
            } else if name.starts_with("ADF") {
                Ok(SelectTarget::Aid(name.bytes().take(16).collect()))
            } else {
                Ok(SelectTarget::Fid(sum))
            }
        }
    }

    /// Answers the command's data (at most 64 bytes, so captures cannot grow without bound)
    /// followed by `9000`; VERIFY answers `63C2`, INS `EE` fails, the ATR is `3B00`.
    pub(super) struct Mirror;

    /// The transport error of [`Mirror`].
    #[derive(Debug, thiserror::Error)]
    #[error("transport broken")]
    pub(super) struct Broken;

    impl Transport for Mirror {
        type Error = Broken;

        fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Broken> {
            match apdu {
                [_, 0x20, ..] => Ok(vec![0x63, 0xC2]),
                [_, 0xEE, ..] => Err(Broken),
                _ => {
                    let mut r: Vec<u8> = apdu.iter().skip(5).take(64).copied().collect();
                    r.extend_from_slice(&[0x90, 0x00]);
                    Ok(r)
                }
            }
        }

        fn reset(&mut self) -> Result<Vec<u8>, Broken> {
            Ok(vec![0x3B, 0x00])
        }
    }

    /// A `Debug` rendering with every `column: N` replaced by `column: _`.
    pub(super) fn without_columns(debug: &str) -> String {
        const KEY: &str = "column: ";
        let mut out = String::with_capacity(debug.len());
        let mut rest = debug;
        while let Some(pos) = rest.find(KEY) {
            let (head, tail) = rest.split_at(pos + KEY.len());
            out.push_str(head);
            out.push('_');
            rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        out.push_str(rest);
        out
    }
}
