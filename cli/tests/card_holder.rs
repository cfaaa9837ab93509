//! One card, one holder: processes that want the same card file take turns, so PIN counters and
//! SQN replay protection hold however many `vusim` processes run at once; a held card makes the
//! next process wait and then fail with a message naming the holder; a killed holder frees the
//! card at once.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::vusim;
use serde_json::Value;

const SELECT_USIM: &str = "00A4040C07A0000000871002";
const VERIFY_PIN1: &str = "002000010831323334FFFFFFFF";
/// VERIFY PIN1 with the wrong PIN 0000.
const WRONG_PIN1: &str = "002000010830303030FFFFFFFF";

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vusim-holder-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    /// A fresh card file (the embedded default profile).
    fn card(&self) -> PathBuf {
        let path = self.0.join("card.toml");
        std::fs::write(&path, vusim_applet::profile::DEFAULT_PROFILE).expect("card file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Start `n` `vusim send` processes on `card` at once, all with the same APDUs.
fn concurrent_sends(n: usize, card: &Path, apdus: &[&str]) -> Vec<Output> {
    let card = card.display().to_string();
    let children: Vec<Child> = (0..n)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_vusim"))
                .args(["send", "--wait", "60", "--json", "--card", &card])
                .args(apdus)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn vusim send")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

/// The `sw` and `data` of the last exchange `vusim send --json` printed.
fn last_exchange(out: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            panic!(
                "no JSON output; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let field = |k: &str| {
        last.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase()
    };
    (field("sw"), field("data"))
}

#[test]
fn concurrent_wrong_pins_each_cost_one_try_and_then_block() {
    let dir = TempDir::new("pin");
    let card = dir.card();
    let outputs = concurrent_sends(12, &card, &[WRONG_PIN1]);
    let mut sws: Vec<String> = outputs
        .iter()
        .map(|o| {
            assert_eq!(
                o.status.code(),
                Some(0),
                "every process gets the card in turn: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            last_exchange(o).0
        })
        .collect();
    sws.sort();
    // PIN1 starts with 3 tries (TS 102 221 §11.1.9): 63C2, 63C1, 63C0, then blocked (6983).
    let mut want = vec!["63C0", "63C1", "63C2"];
    want.extend(["6983"; 9]);
    assert_eq!(sws, want, "one counter decrement per answered attempt");
    // Blocked for good: even the right PIN is refused.
    let (code, out, err) = vusim(&["send", "--card", &card.display().to_string(), VERIFY_PIN1]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("< 6983"), "{out}");
}

#[test]
fn one_authn_is_accepted_at_most_once_across_processes() {
    let dir = TempDir::new("autn");
    let card = dir.card();
    // A fresh vector for the default card (TS 35.208 set 1 keys) from the network-side
    // calculator: SQN SEQ 1, IND 1.
    let rand = "00112233445566778899AABBCCDDEEFF";
    let (code, out, err) = vusim(&[
        "calc",
        "milenage",
        "--k",
        "465B5CE8B199B49FAA5F0A2EE238A6BC",
        "--opc",
        "CD63CB71954A9F4E48A5994E37A02BAF",
        "--rand",
        rand,
        "--sqn",
        "000000000021",
        "--amf",
        "8000",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("calc JSON");
    let autn = v
        .get("autn")
        .and_then(Value::as_str)
        .expect("autn")
        .to_ascii_uppercase();
    let res = v
        .get("res")
        .and_then(Value::as_str)
        .expect("res")
        .to_ascii_uppercase();
    let authenticate = format!("008800812210{rand}10{autn}00");
    let outputs = concurrent_sends(10, &card, &[SELECT_USIM, VERIFY_PIN1, &authenticate]);
    let mut accepted = 0;
    for o in &outputs {
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let (sw, data) = last_exchange(o);
        assert_eq!(sw, "9000", "AUTHENTICATE answers with data");
        if data.starts_with("DB") {
            accepted += 1;
            assert!(data.starts_with(&format!("DB08{res}")), "{data}");
        } else {
            // The replay is a synchronisation failure (TS 31.102 §7.1.2.1: 'DC' ‖ L ‖ AUTS).
            assert!(data.starts_with("DC0E"), "replay answered {data}");
        }
    }
    assert_eq!(accepted, 1, "one AUTN, accepted exactly once");
}

/// A child process killed when the test ends, even by a failed assertion (a leftover `serve`
/// would hold its files, and whatever its parent handed down, forever).
struct KillOnDrop(Child);

impl KillOnDrop {
    fn id(&self) -> u32 {
        self.0.id()
    }

    /// SIGKILL and reap.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `vusim serve --card F` towards a vpcd port nobody listens on: it holds the card and keeps
/// retrying the connection until killed.
fn serve_holding(card: &Path) -> KillOnDrop {
    let child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_vusim"))
            .args(["serve", "--quiet", "--vpcd", "127.0.0.1:9", "--card"])
            .arg(card)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn vusim serve"),
    );
    let lock = card.with_file_name(".card.toml.lock");
    let want = format!("pid {} (vusim serve …)", child.id());
    let started = Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |t| t.trim() != want) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve never took the card"
        );
        thread::sleep(Duration::from_millis(10));
    }
    child
}

#[test]
fn a_held_card_makes_send_wait_then_fail_naming_the_holder() {
    let dir = TempDir::new("serve");
    let card = dir.card();
    let before = std::fs::read(&card).expect("card");
    let mut serve = serve_holding(&card);
    let card_arg = card.display().to_string();
    let started = Instant::now();
    let (code, out, err) = vusim(&["send", "--wait", "0.5", "--card", &card_arg, WRONG_PIN1]);
    let waited = started.elapsed();
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "no exchange happened: {out}");
    assert_eq!(
        err.trim(),
        format!(
            "vusim: error: card {card_arg} is in use by pid {} (vusim serve …) \
             (waited 0.5 s; --wait SECS to wait longer)",
            serve.id()
        )
    );
    assert!(
        waited >= Duration::from_millis(500),
        "waited {waited:?}, not the 0.5 s asked for"
    );
    // `card show` reads a held card without the hold, and writes nothing.
    let (code, out, err) = vusim(&["card", "show", &card_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# PIN 01: 3 retries left"), "{out}");
    // A trace file is held like a card: a second serve tracing to the same pcap is refused.
    let pcap = dir.0.join("trace.pcap");
    let mut first = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_vusim"))
            .args(["serve", "--quiet", "--vpcd", "127.0.0.1:9", "--trace-pcap"])
            .arg(&pcap)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the first tracing serve"),
    );
    let pcap_lock = dir.0.join(".trace.pcap.lock");
    let t = Instant::now();
    while !std::fs::read_to_string(&pcap_lock).is_ok_and(|s| s.contains("vusim serve")) {
        assert!(t.elapsed() < Duration::from_secs(20), "no pcap hold");
        thread::sleep(Duration::from_millis(10));
    }
    let (code, _, err) = vusim(&[
        "serve",
        "--vpcd",
        "127.0.0.1:9",
        "--trace-pcap",
        &pcap.display().to_string(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "trace file {} is in use by pid {} (vusim serve …)",
            pcap.display(),
            first.id()
        )),
        "{err}"
    );
    first.kill();
    serve.kill();
    assert_eq!(
        std::fs::read(&card).expect("card"),
        before,
        "nobody changed the card"
    );
}

#[test]
fn a_holder_killed_with_sigkill_frees_the_card_at_once() {
    let dir = TempDir::new("kill");
    let card = dir.card();
    let mut serve = serve_holding(&card);
    let card_arg = card.display().to_string();
    serve.kill();
    let (code, out, err) = vusim(&["send", "--wait", "0", "--card", &card_arg, WRONG_PIN1]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("< 63C2"), "{out}");
}

#[test]
fn concurrent_ausf_runs_never_hand_out_one_sqn_twice() {
    // The AuC's SEQ_HE lives in FILE.hss beside the card file, held like the card itself.
    let dir = TempDir::new("hss");
    let card = dir.card().display().to_string();
    let children: Vec<Child> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_vusim"))
                .args(["akma", "ausf", "--card", &card, "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn vusim akma ausf")
        })
        .collect();
    let mut sqns: Vec<String> = children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().expect("wait");
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
            v.get("sqn")
                .and_then(Value::as_str)
                .expect("sqn")
                .to_string()
        })
        .collect();
    sqns.sort();
    let n = sqns.len();
    sqns.dedup();
    assert_eq!(sqns.len(), n, "every AV got its own SQN: {sqns:?}");
}
