//! Property tests of the script language: parsing and running arbitrary text never panics;
//! wildcards, stars and captures match exactly the bytes they describe.

use std::path::Path;

use proptest::prelude::*;
use vusim_apdu::script::{parse, Event, Loader, NoNames, Pattern, Runner, Transport, Vars};

/// Every include reads the same text (so includes recurse until the cycle check stops them).
struct Same(String);

impl Loader for Same {
    fn read(&mut self, _path: &Path) -> std::io::Result<String> {
        Ok(self.0.clone())
    }
}

/// Answers `P1 P2 90 00`, or `6700` for fewer than 4 bytes.
struct Mirror;

impl Transport for Mirror {
    type Error = std::io::Error;
    fn transmit(&mut self, apdu: &[u8]) -> std::io::Result<Vec<u8>> {
        Ok(match apdu {
            [_, _, p1, p2, ..] => vec![*p1, *p2, 0x90, 0x00],
            _ => vec![0x67, 0x00],
        })
    }
    fn reset(&mut self) -> std::io::Result<Vec<u8>> {
        Ok(vec![0x3B, 0x00])
    }
}

const TOKENS: &[&str] = &[
    "reset",
    "exit",
    "=>",
    "${",
    "}",
    "${a}",
    "${a:3}",
    "${b:*}",
    "*",
    "??",
    "?",
    "00",
    "A4",
    "9000",
    "63C?",
    "select",
    "verify",
    "pin1",
    "1234",
    "#",
    "include",
    "x.script",
    "set",
    "a",
    "echo",
    "read-binary",
    "update-record",
    "authenticate",
    "3g",
    "gba",
    "naf",
    " ",
    "  ",
    "\t",
    "\n",
    "$",
    "{",
    ":",
    "-",
    "EF.IMSI",
    "7FFF/6F07",
    "0x10",
    "zz",
    "é",
    "\u{feff}",
];

fn scriptish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.join(""))
}

fn run_text(text: &str) {
    let mut loader = Same(text.to_string());
    if let Ok(program) = parse("p.script", text, &mut loader) {
        let _ = program.check(&NoNames);
        let mut runner = Runner::new(&NoNames).keep_going(true);
        let _ = runner.run(&program, &mut Mirror, &mut |_: &Event<'_>| {});
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X} ")).collect()
}

fn matches(pattern: &str, actual: &[u8]) -> bool {
    Pattern::parse(pattern)
        .expect("pattern parses")
        .matches(actual, &Vars::new())
        .expect("no variables")
        .passed
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*") {
        run_text(&text);
        let _ = Pattern::parse(&text);
    }

    #[test]
    fn scriptish_text_never_panics(text in scriptish()) {
        run_text(&text);
        if let Ok(p) = Pattern::parse(&text) {
            let _ = p.matches(&[0x90, 0x00], &Vars::new());
        }
    }

    #[test]
    fn exact_pattern_matches_only_its_bytes(
        a in prop::collection::vec(any::<u8>(), 1..40),
        b in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        prop_assert!(matches(&hex(&a), &a));
        prop_assert_eq!(matches(&hex(&a), &b), a == b);
        let m = Pattern::parse(&hex(&a)).expect("parses").matches(&b, &Vars::new()).expect("match");
        if a != b {
            let first = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            prop_assert_eq!(m.differs_at, Some(first));
        }
    }

    #[test]
    fn wildcards_match_any_byte_or_nibble(
        data in prop::collection::vec(any::<u8>(), 1..40),
        wild in prop::collection::vec(0u8..4, 40),
    ) {
        // 0: the byte, 1: `??`, 2: `?x`, 3: `x?`.
        let text: String = data
            .iter()
            .zip(&wild)
            .map(|(b, w)| match w {
                1 => "?? ".to_string(),
                2 => format!("?{:X} ", b & 0x0F),
                3 => format!("{:X}? ", b >> 4),
                _ => format!("{b:02X} "),
            })
            .collect();
        prop_assert!(matches(&text, &data));
        // Display gives back an equivalent pattern.
        let shown = Pattern::parse(&text).expect("parses").to_string();
        prop_assert_eq!(Pattern::parse(&shown).expect("re-parses").to_string(), shown.clone());
        prop_assert!(matches(&shown, &data));
        // One byte more or less never matches a pattern without `*`.
        let mut longer = data.clone();
        longer.push(0);
        prop_assert!(!matches(&text, &longer));
        let shorter = data.split_last().map(|(_, rest)| rest.to_vec()).unwrap_or_default();
        prop_assert!(!matches(&text, &shorter));
    }

    #[test]
    fn star_matches_any_middle(
        head in prop::collection::vec(any::<u8>(), 0..10),
        middle in prop::collection::vec(any::<u8>(), 0..30),
        tail in prop::collection::vec(any::<u8>(), 0..10),
    ) {
        let actual = [head.clone(), middle.clone(), tail.clone()].concat();
        let around = format!("{} * {}", hex(&head), hex(&tail));
        let after = format!("{} *", hex(&head));
        prop_assert!(matches("*", &actual));
        prop_assert!(matches(&around, &actual));
        prop_assert!(matches(&after, &actual));
        let m = Pattern::parse(&format!("{} ${{m:*}} {}", hex(&head), hex(&tail)))
            .expect("parses")
            .matches(&actual, &Vars::new())
            .expect("match");
        prop_assert!(m.passed);
        // The capture is the middle as long as head and tail are determined by position.
        let got = m.captures.first().map(|(_, v)| v.clone()).unwrap_or_default();
        prop_assert_eq!(got.len(), middle.len() * 2);
        let expected_middle: Vec<u8> = actual
            .iter()
            .skip(head.len())
            .take(actual.len() - head.len() - tail.len())
            .copied()
            .collect();
        prop_assert_eq!(got, hex::encode_upper(expected_middle));
    }

    #[test]
    fn fixed_capture_takes_exactly_n_bytes(
        head in prop::collection::vec(any::<u8>(), 0..10),
        captured in prop::collection::vec(any::<u8>(), 1..20),
        tail in prop::collection::vec(any::<u8>(), 0..10),
    ) {
        let actual = [head.clone(), captured.clone(), tail.clone()].concat();
        let text = format!("{} ${{c:{}}} *", hex(&head), captured.len());
        let m = Pattern::parse(&text).expect("parses").matches(&actual, &Vars::new()).expect("match");
        prop_assert!(m.passed);
        prop_assert_eq!(m.captures, vec![("c".to_string(), hex::encode_upper(&captured))]);
        // And the captured value matches itself as `${c}`.
        let mut vars = Vars::new();
        vars.insert("c".to_string(), hex::encode_upper(&captured));
        let again = Pattern::parse(&format!("{} ${{c}} {}", hex(&head), hex(&tail)))
            .expect("parses")
            .matches(&actual, &vars)
            .expect("match");
        prop_assert!(again.passed);
    }
}
