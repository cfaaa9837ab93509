//! Benchmark workloads for `vusim bench` (vusim's own measurements; no spec clause): APDU
//! latency in memory and with durable state, crypto against the hardware floor, memory per idle
//! card, AKA throughput on all cores, process start-up, and loadable applets against native
//! ones (`wasm.rs`) — as figures and ratios, never as pass/fail tests. The binary prints the
//! rows; this module prints nothing.

mod wasm;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aes::cipher::{BlockEncrypt, KeyInit};
use vusim_apdu::authenticate::{AuthMode, AuthResponse};
use vusim_apdu::Response;
use vusim_applet::card::Card;
use vusim_applet::profile::Profile;
use vusim_applet::store::holder::Holder;
use vusim_applet::store::DurableCard;
use vusim_crypto::kdf::KdfInput;
use vusim_crypto::keys::{Key128, Opc, Top};
use vusim_crypto::milenage::Milenage;
use vusim_crypto::tuak::{Tuak, TuakKey, TuakParams};

use crate::auc::Auc;
use crate::authenticate::AuthenticateCommand;
use crate::{NetworkError, Result};

/// One measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What was measured.
    pub name: String,
    /// The figure (a median unless the note says otherwise).
    pub value: f64,
    /// Its unit.
    pub unit: &'static str,
    /// The project's target for it, if any (met when `value <= target`).
    pub target: Option<f64>,
    /// How it was measured, or a ratio to the floor.
    pub note: String,
}

impl Row {
    /// The header line of [`Row::table_line`]s.
    pub const TABLE_HEADER: &'static str =
        "measurement                                          median unit         target  note";

    /// Whether the figure meets its target (`None` without one).
    pub fn met(&self) -> Option<bool> {
        self.target.map(|t| self.value <= t)
    }

    /// One line of the table `vusim bench` prints under [`Row::TABLE_HEADER`].
    pub fn table_line(&self) -> String {
        let target = match (self.target, self.met()) {
            (Some(t), Some(met)) => format!("≤ {t} {}", if met { "met" } else { "MISSED" }),
            _ => String::new(),
        };
        format!(
            "{:<46} {:>12.3} {:<8} {:>10}  {}",
            self.name, self.value, self.unit, target, self.note
        )
    }

    /// One JSON object: `name`, `value`, `unit`, `target`, `met`, `note`.
    pub fn to_json(&self) -> String {
        serde_json::json!({"name": self.name, "value": self.value, "unit": self.unit,
            "target": self.target, "met": self.met(), "note": self.note})
        .to_string()
    }
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Fewer repetitions (a rough figure in a few seconds).
    pub quick: bool,
    /// The `vusim` binary, for the process start-up and pipe figures (left out without it).
    pub vusim: Option<PathBuf>,
}

/// A failed benchmark step (the workload did not do what it measures).
fn failed(what: impl std::fmt::Display) -> NetworkError {
    NetworkError::Bench(what.to_string())
}

/// Median of `batches` batches of `iters` calls, in nanoseconds per call (after a warm-up).
pub fn median_ns(batches: usize, iters: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters.min(1000) {
        f();
    }
    timed(batches, iters, f)
}

/// Like [`median_ns`] without warm-up, for calls that consume prepared inputs.
fn timed(batches: usize, iters: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn hexb(h: &str) -> Vec<u8> {
    hex::decode(h).unwrap_or_default()
}

fn usim_ready(card: &mut Card) {
    card.transmit_bytes(&hexb("00A4040C07A0000000871002"));
    card.transmit_bytes(&hexb("002000010831323334FFFFFFFF"));
}

/// Authentication vectors for `n` successive 3G (or GBA with `gba`) AUTHENTICATE commands.
fn vectors(auc: &mut Auc, n: usize, gba: bool) -> Result<Vec<Vec<u8>>> {
    (0..n)
        .map(|i| {
            let mut rand = [0u8; 16];
            for (r, b) in rand.iter_mut().zip((i as u64).to_be_bytes()) {
                *r = b;
            }
            let v = auc.vector(rand, gba)?;
            let cmd = if gba {
                AuthenticateCommand::GbaBootstrap {
                    rand: v.rand,
                    autn: v.autn,
                }
            } else {
                AuthenticateCommand::ThreeG {
                    rand: v.rand,
                    autn: v.autn,
                }
            };
            cmd.apdu()
        })
        .collect()
}

/// The first answer to prepared AUTHENTICATE commands must be a success of `mode` (not a
/// synchronisation failure, not an error status).
fn check_first(first: &[u8], mode: AuthMode, what: &str) -> Result<()> {
    let ok = Response::parse(first).is_ok_and(|r| {
        r.sw == vusim_apdu::StatusWord::SUCCESS
            && AuthResponse::parse(mode, &r.data)
                .is_ok_and(|a| !matches!(a, AuthResponse::SyncFailure { .. }))
    });
    if !ok {
        return Err(failed(format!(
            "{what} answered {}",
            hex::encode_upper(first)
        )));
    }
    Ok(())
}

/// Send prepared AUTHENTICATE commands, each once: the first must succeed, the rest are timed;
/// nanoseconds per command.
fn consume_vectors(card: &mut Card, apdus: &[Vec<u8>], mode: AuthMode, what: &str) -> Result<f64> {
    let mut it = apdus.iter();
    let first = it
        .next()
        .map(|a| card.transmit_bytes(a))
        .unwrap_or_default();
    check_first(&first, mode, what)?;
    let rest = apdus.len().saturating_sub(1);
    Ok(timed(1, rest, || {
        if let Some(a) = it.next() {
            black_box(card.transmit_bytes(a));
        }
    }))
}

/// `vusim send` with `n` READ BINARY of EF.IMSI into a pipe, against the same session without
/// them: the extra wall time per APDU, in nanoseconds (start-up cancels out). The fastest of
/// `runs` runs of each, since other processes only ever add time.
fn send_pipe_ns(exe: &Path, n: usize, runs: usize) -> Result<f64> {
    let setup = [
        "00A4040C07A0000000871002",
        "002000010831323334FFFFFFFF",
        "00A4000C026F07",
    ];
    let session = |reads: usize| -> Result<Duration> {
        let t = Instant::now();
        let out = std::process::Command::new(exe)
            .arg("send")
            .args(setup)
            .args(std::iter::repeat_n("00B0000009", reads))
            .stderr(std::process::Stdio::null())
            .output()
            .map_err(|e| failed(format!("{}: {e}", exe.display())))?;
        let elapsed = t.elapsed();
        if !out.status.success() || out.stdout.len() <= reads * 40 {
            return Err(failed("vusim send into a pipe failed"));
        }
        Ok(elapsed)
    };
    let (mut base, mut full) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        base = base.min(session(0)?);
        full = full.min(session(n)?);
    }
    Ok(full.saturating_sub(base).as_nanos() as f64 / n as f64)
}

/// Resident set size of this process, bytes (Linux `/proc/self/statm`).
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Run every measurement, in the order `vusim bench` prints them.
///
/// # Errors
/// A workload that does not do what it measures (a refused APDU, a failed `vusim send`), or a
/// temporary card file that cannot be written.
pub fn run(opts: &Options) -> Result<Vec<Row>> {
    let (batches, scale) = if opts.quick { (5, 1) } else { (15, 4) };
    let mut rows: Vec<Row> = Vec::new();
    let mut push = |name: &str, value: f64, unit: &'static str, target: Option<f64>, note: &str| {
        rows.push(Row {
            name: name.to_string(),
            value,
            unit,
            target,
            note: note.to_string(),
        })
    };

    // Floor: one AES-128 block and one SHA-256 compression with the CPU's instructions.
    let aes = aes::Aes128Enc::new(&[0x2Bu8; 16].into());
    let mut block = aes::Block::from([0u8; 16]);
    let aes_ns = median_ns(batches, 20_000 * scale, || {
        aes.encrypt_block(black_box(&mut block))
    });
    push(
        "AES-128 one block (floor)",
        aes_ns,
        "ns",
        None,
        "aes crate, AES-NI detected at run time",
    );
    let mut state = [
        0x6a09e667u32,
        0xbb67ae85,
        0x3c6ef372,
        0xa54ff53a,
        0x510e527f,
        0x9b05688c,
        0x1f83d9ab,
        0x5be0cd19,
    ];
    let sha_block = sha2::digest::generic_array::GenericArray::from([0u8; 64]);
    let sha_ns = median_ns(batches, 20_000 * scale, || {
        sha2::compress256(black_box(&mut state), std::slice::from_ref(&sha_block))
    });
    push(
        "SHA-256 one compression (floor)",
        sha_ns,
        "ns",
        None,
        "sha2 crate, SHA-NI detected at run time",
    );

    let m = Milenage::new(&Key128::new([0x46; 16]), &Opc::new([0xCD; 16]));
    let (rand, sqn, amf) = ([0x23u8; 16], [0u8; 6], [0x80u8, 0]);
    let mil = median_ns(batches, 20_000 * scale, || {
        black_box(m.compute(black_box(&rand), &sqn, &amf));
    });
    push(
        "MILENAGE full run f1..f5*",
        mil,
        "ns",
        Some(300.0),
        &format!("{:.1} AES blocks' worth", mil / aes_ns),
    );
    let t = Tuak::from_top(
        TuakKey::from_slice(&[0xAB; 16])?,
        &Top::new([0x55; 32]),
        TuakParams::default(),
    )?;
    let tu = median_ns(batches, 2_000 * scale, || {
        black_box(t.f2345(black_box(&rand)));
    });
    push(
        "TUAK f2345",
        tu,
        "ns",
        None,
        "one Keccak-f[1600] in software",
    );
    let key = [0x11u8; 32];
    let kdf = median_ns(batches, 10_000 * scale, || {
        black_box(
            KdfInput::new(0x6A)
                .string("5G:mnc001.mcc001.3gppnetwork.org")
                .and_then(|i| i.bytes(&[1, 2, 3, 4, 5, 6]))
                .and_then(|i| i.derive(&key))
                .ok(),
        );
    });
    push(
        "TS 33.220 KDF one call",
        kdf,
        "ns",
        None,
        &format!("{:.1} SHA-256 compressions' worth", kdf / sha_ns),
    );

    // APDUs in memory.
    let mut card = Profile::embedded_default().build_card("<embedded default>")?;
    usim_ready(&mut card);
    let sel = hexb("00A4000C026F07");
    push(
        "SELECT by FID (in memory)",
        median_ns(batches, 20_000 * scale, || {
            black_box(card.transmit_bytes(&sel));
        }),
        "ns",
        None,
        "",
    );
    card.transmit_bytes(&sel);
    let rb = hexb("00B0000009");
    for a in [
        &rb,
        &hexb("00B2010C0E"),
        &hexb("002000010831323334FFFFFFFF"),
    ] {
        let sw = card.transmit_bytes(a);
        if !sw.ends_with(&[0x90, 0x00]) {
            return Err(failed(format!(
                "{} answered {}",
                hex::encode_upper(a),
                hex::encode_upper(&sw)
            )));
        }
    }
    let read_binary_ns = median_ns(batches, 50_000 * scale, || {
        black_box(card.transmit_bytes(&rb));
    });
    push(
        "READ BINARY (in memory)",
        read_binary_ns,
        "ns",
        Some(300.0),
        "",
    );
    let rr = hexb("00B2010C0E");
    push(
        "READ RECORD by SFI (in memory)",
        median_ns(batches, 50_000 * scale, || {
            black_box(card.transmit_bytes(&rr));
        }),
        "ns",
        None,
        "EF.ECC, SFI 01",
    );
    let vp = hexb("002000010831323334FFFFFFFF");
    push(
        "VERIFY PIN (in memory)",
        median_ns(batches, 20_000 * scale, || {
            black_box(card.transmit_bytes(&vp));
        }),
        "ns",
        None,
        "",
    );
    let n = 4_000 * scale;
    let mut auc = Auc::for_profile(&Profile::embedded_default(), None)?;
    let av = vectors(&mut auc, n, false)?;
    push(
        "3G AUTHENTICATE (in memory)",
        consume_vectors(&mut card, &av, AuthMode::ThreeG, "3G AUTHENTICATE")?,
        "ns",
        Some(2000.0),
        "fresh SQN each time; vectors made beforehand",
    );
    let gv = vectors(&mut auc, n, true)?;
    push(
        "GBA bootstrap (in memory)",
        consume_vectors(&mut card, &gv, AuthMode::GbaBootstrap, "GBA bootstrap")?,
        "ns",
        None,
        "",
    );
    let impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
    let naf = AuthenticateCommand::GbaNaf {
        naf_id: b"naf.example.org\x01\x00\x00\x00\x02".to_vec(),
        impi: impi.as_bytes().to_vec(),
    }
    .apdu()?;
    check_first(
        &card.transmit_bytes(&naf),
        AuthMode::GbaNaf,
        "NAF derivation",
    )?;
    push(
        "GBA NAF derivation (in memory)",
        median_ns(batches, 5_000 * scale, || {
            black_box(card.transmit_bytes(&naf));
        }),
        "ns",
        None,
        "",
    );

    // The same with durable state (--card): saves happen before each state-changing response.
    let dir = std::env::temp_dir().join(format!("vusim-bench-{}", std::process::id()));
    let tmp = |e: std::io::Error| failed(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(tmp)?;
    let path = dir.join("card.toml");
    std::fs::write(&path, vusim_applet::profile::DEFAULT_PROFILE).map_err(tmp)?;
    let mut dc = DurableCard::open(&path)?;
    usim_ready(dc.card_mut());
    dc.commit()?;
    let d = |dc: &mut DurableCard, a: &[u8]| {
        black_box(dc.transmit(a).ok());
    };
    d(&mut dc, &sel);
    push(
        "READ BINARY (--card)",
        median_ns(batches, 50_000 * scale, || d(&mut dc, &rb)),
        "ns",
        None,
        "no state change, no save",
    );
    let dn = 200 * scale;
    push(
        "VERIFY PIN (--card)",
        median_ns(3, dn, || d(&mut dc, &vp)) / 1000.0,
        "µs",
        None,
        "atomic save (write, fsync, rename, fsync dir) per command",
    );
    let mut dauc = Auc::for_profile(&Profile::embedded_default(), None)?;
    let dav = vectors(&mut dauc, dn, false)?;
    let mut it = dav.iter();
    let first = it
        .next()
        .and_then(|a| dc.transmit(a).ok())
        .unwrap_or_default();
    check_first(&first, AuthMode::ThreeG, "3G AUTHENTICATE (--card)")?;
    push(
        "3G AUTHENTICATE (--card)",
        timed(1, dn - 1, || {
            if let Some(a) = it.next() {
                d(&mut dc, a);
            }
        }) / 1000.0,
        "µs",
        None,
        "includes the atomic save of the accepted SQN",
    );
    // What one card, one holder adds to every --card command: taking and releasing the hold.
    let held = dir.join("held.toml");
    push(
        "card-file hold: acquire + release",
        median_ns(batches, 500 * scale, || {
            black_box(Holder::acquire(&held, "card", Duration::ZERO).ok());
        }) / 1000.0,
        "µs",
        Some(100.0),
        "open .NAME.lock, flock, record the holder, unlock, close",
    );
    let _ = std::fs::remove_dir_all(&dir);

    // Memory per idle card.
    let before = rss_bytes();
    let cards: Vec<Card> = (0..200)
        .map(|_| Profile::embedded_default().build_card("m"))
        .collect::<Result<_, _>>()?;
    let after = rss_bytes();
    if let (Some(b), Some(a)) = (before, after) {
        push(
            "memory per idle card",
            (a.saturating_sub(b)) as f64 / 200.0 / 1024.0,
            "KiB",
            Some(64.0),
            "RSS growth over 200 cards / 200",
        );
    }
    drop(cards);

    // AKA throughput across N cards on all cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = 3_000 * scale;
    let work: Vec<Vec<Vec<u8>>> = (0..threads)
        .map(|_| {
            Auc::for_profile(&Profile::embedded_default(), None)
                .and_then(|mut a| vectors(&mut a, per, false))
        })
        .collect::<Result<_, _>>()?;
    let start = Instant::now();
    std::thread::scope(|s| {
        for vs in &work {
            s.spawn(move || {
                if let Ok(mut c) = Profile::embedded_default().build_card("t") {
                    usim_ready(&mut c);
                    for a in vs {
                        black_box(c.transmit_bytes(a));
                    }
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    push(
        &format!("AKA throughput, {threads} cards on {threads} threads"),
        (threads * per) as f64 / secs / 1000.0,
        "k AKA/s",
        None,
        "",
    );

    // Process start to first response.
    if let Some(exe) = &opts.vusim {
        let mut times: Vec<Duration> = (0..if opts.quick { 10 } else { 30 })
            .filter_map(|_| {
                let t = Instant::now();
                let ok = std::process::Command::new(exe)
                    .args(["send", "00A40004023F00"])
                    .output()
                    .ok()?
                    .status
                    .success();
                ok.then(|| t.elapsed())
            })
            .collect();
        times.sort();
        if let Some(m) = times.get(times.len() / 2) {
            push(
                "vusim send: start to response",
                m.as_secs_f64() * 1000.0,
                "ms",
                Some(5.0),
                "whole process, median",
            );
        }
        // `vusim send` into a pipe: the cost per APDU above the in-memory card is printing.
        let per_apdu = send_pipe_ns(exe, 2_000, if opts.quick { 10 } else { 30 })?;
        push(
            "vusim send into a pipe, per APDU above in memory",
            (per_apdu - read_binary_ns) / 1000.0,
            "µs",
            Some(1.0),
            &format!(
                "2,000 READ BINARY: {:.2} µs each (arguments, card, annotation, buffered output)",
                per_apdu / 1000.0
            ),
        );
    }

    // Loadable applets: APDU vs native, 64 KiB module at power-up, idle memory.
    wasm::rows(batches, scale, &mut push)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: f64, target: Option<f64>) -> Row {
        Row {
            name: "x".into(),
            value,
            unit: "µs",
            target,
            note: "n".into(),
        }
    }

    #[test]
    fn rows_say_whether_they_meet_their_target() {
        assert_eq!(row(0.8, Some(1.0)).met(), Some(true));
        assert_eq!(row(1.2, Some(1.0)).met(), Some(false));
        assert_eq!(row(1.2, None).met(), None);
        let line = row(1.2, Some(1.0)).table_line();
        assert!(
            line.starts_with("x ") && line.ends_with("≤ 1 MISSED  n"),
            "{line}"
        );
        assert_eq!(
            row(0.5, None).to_json(),
            r#"{"name":"x","value":0.5,"unit":"µs","target":null,"met":null,"note":"n"}"#
        );
        // The header's columns line up with the rows' (46 + 1 + 12 characters to "median").
        assert_eq!(Row::TABLE_HEADER.find("median"), Some(46 + 1 + 12 - 6));
    }
}
