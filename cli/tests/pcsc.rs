//! `vusim serve` and `vusim pcsc` with real components: a private pcscd with the vpcd driver,
//! opensc-tool, scriptor, pyscard (Debian's, under /usr/bin/python3), tshark.
//!
//! pcscd's socket is machine-wide, so everything runs in one test, in sequence, against one
//! private pcscd (readers `vusim 00 00`/`vusim 00 01` on ports 40000/40001) that is stopped on
//! drop, also when a step fails. Needs root, pcscd, vsmartcard-vpcd, pcsc-tools, opensc,
//! python3-pyscard and tshark (scripts/test installs them), and no other pcscd running.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test
#![cfg(feature = "pcsc")]

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use vusim_pcsc_bridge::client::Client;
use vusim_pcsc_bridge::pcscd::PrivatePcscd;

const PORT: u16 = 40_000;
const K: &str = "465B5CE8B199B49FAA5F0A2EE238A6BC";
const OPC: &str = "CD63CB71954A9F4E48A5994E37A02BAF";
const RAND: &str = "00112233445566778899AABBCCDDEEFF";
/// The default card's Δ is 2^28: a small SQN is fresh for a new card.
const SQN: &str = "000000000021";

/// The binary under test, copied to the test's directory first: the shared target directory's
/// copy may be rebuilt (without the `pcsc` feature) by another cargo run meanwhile.
static VUSIM: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn vusim_bin() -> &'static Path {
    VUSIM
        .get()
        .map_or(Path::new(env!("CARGO_BIN_EXE_vusim")), PathBuf::as_path)
}

/// The output of a finished command.
struct Out {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Out {
    fn ok(self, what: &str) -> String {
        assert!(
            self.status.success(),
            "{what}: {}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self.stdout
    }
}

/// Run a command with a timeout (a hung reader must fail the test, not hang it).
fn run(cmd: &mut Command, timeout: Duration) -> Out {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: no answer within {timeout:?}\nstdout:\n{}\nstderr:\n{}",
                t_out.join().unwrap(),
                t_err.join().unwrap()
            );
        }
        thread::sleep(Duration::from_millis(10));
    };
    Out {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

fn vusim(args: &[&str]) -> Out {
    run(
        Command::new(vusim_bin()).args(args),
        Duration::from_secs(20),
    )
}

fn kill_term(pid: u32) {
    let s = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(s.success());
}

/// A running `vusim serve`, killed on drop.
struct Serve {
    child: Option<Child>,
    log: PathBuf,
}

impl Serve {
    fn start(log: &Path, args: &[&str]) -> Serve {
        let file = fs::File::create(log).unwrap();
        let child = Command::new(vusim_bin())
            .arg("serve")
            .args(["--vpcd", &format!("127.0.0.1:{PORT}")])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap();
        Serve {
            child: Some(child),
            log: log.to_path_buf(),
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM; it must exit 0 promptly.
    fn terminate(&mut self) {
        let mut child = self.child.take().unwrap();
        kill_term(child.id());
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "serve ignores SIGTERM");
            thread::sleep(Duration::from_millis(10));
        };
        assert!(status.success(), "serve exited {status}\n{}", self.log());
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Wait until every reader in `readers` has a card (a fresh PC/SC context each try, so this
/// also works across a pcscd restart).
fn wait_cards(readers: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    loop {
        if let Ok(c) = Client::establish() {
            match c.readers() {
                Ok(infos) => {
                    if readers
                        .iter()
                        .all(|r| infos.iter().any(|i| i.name == *r && i.card_present))
                    {
                        return;
                    }
                    last = format!("{infos:?}");
                }
                Err(e) => last = e.to_string(),
            }
        }
        assert!(
            Instant::now() < deadline,
            "cards not present in {readers:?}: {last}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

fn calc(args: &[&str]) -> std::collections::BTreeMap<String, String> {
    let out = vusim(&[&["calc"], args].concat()).ok("vusim calc");
    out.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_ascii_uppercase()))
        .collect()
}

fn atr_hex() -> String {
    hex::encode_upper(vusim_applet::card::default_atr().encode())
}

struct Ctx {
    dir: PathBuf,
    pcscd: PrivatePcscd,
    r0: String,
    r1: String,
}

impl Ctx {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn p(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

#[test]
fn pcsc_end_to_end() {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("vusim-pcsc-test-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("vusim");
    fs::copy(env!("CARGO_BIN_EXE_vusim"), &bin).unwrap();
    VUSIM.set(bin).unwrap();
    let pcscd = PrivatePcscd::start(&dir.join("pcscd"), "vusim", PORT).unwrap_or_else(|e| {
        panic!("{e}");
    });
    let ctx = Ctx {
        r0: pcscd.reader(0),
        r1: pcscd.reader(1),
        dir,
        pcscd,
    };
    let mut ctx = ctx;
    vusim(&[
        "card",
        "new",
        "--out",
        &ctx.p("a.toml"),
        "--k",
        K,
        "--opc",
        OPC,
    ])
    .ok("card new");

    // Two slots: slot 0 the card file, slot 1 the embedded default card; -v logs each APDU.
    let mut serve = Serve::start(
        &ctx.path("serve.log"),
        &[
            "-v",
            "--card",
            &ctx.p("a.toml"),
            "--slots",
            "2",
            "--trace-pcap",
            &ctx.p("trace.pcap"),
        ],
    );
    wait_cards(&[&ctx.r0, &ctx.r1]);

    opensc_tool(&ctx);
    scriptor(&ctx);
    pyscard(&ctx);
    pcsc_list_and_send(&ctx);
    let gba = gba_bootstrap(&ctx);
    both_slots_at_once(&ctx);
    client_vanishes(&ctx);
    pcscd_restart(&mut ctx, &serve);

    let log = serve.log();
    assert!(
        log.contains("slot 0: > 00A40004 SELECT by FID 3F00 (MF), return FCP"),
        "{log}"
    );
    assert!(
        log.contains("AUTHENTICATE GBA context, bootstrapping mode"),
        "{log}"
    );
    // Data bytes never reach the log: not the RES, not the PIN.
    assert!(!log.contains(&gba.res), "RES logged:\n{log}");
    assert!(!log.contains("31323334"), "PIN logged:\n{log}");
    serve.terminate();
    let log = serve.log();
    assert!(
        log.contains("SIGTERM: stopping") && log.contains("stopped"),
        "{log}"
    );
    drop(serve);

    tshark(&ctx);
    state_survives_restart(&ctx, &gba);
    no_pcscd_logs_waiting(&mut ctx);

    let took = started.elapsed();
    assert!(took < Duration::from_secs(120), "took {took:?}");
    drop(ctx.pcscd);
    let _ = fs::remove_dir_all(&ctx.dir);
}

/// opensc-tool: the ATR, and SELECT MF with FCP (opensc does the GET RESPONSE).
fn opensc_tool(ctx: &Ctx) {
    let out = run(
        Command::new("opensc-tool").args(["-r", "0", "-a"]),
        Duration::from_secs(20),
    )
    .ok("opensc-tool -a");
    let atr = out.trim().replace(':', "").to_ascii_uppercase();
    assert_eq!(atr, atr_hex());
    let out = run(
        Command::new("opensc-tool").args(["-r", "0", "-s", "00:A4:00:04:02:3F:00:00"]),
        Duration::from_secs(20),
    )
    .ok("opensc-tool -s");
    assert!(out.contains("SW1=0x90, SW2=0x00"), "{out}");
    assert!(
        out.contains("62 29 82 02 78 21 83 02 3F 00"),
        "FCP of the MF:\n{out}"
    );
    // MANAGE CHANNEL open and close channel 1 as opensc-tool sends them: the case-1 commands
    // with P3 = 00 (TS 102 221 §7.3.1.1.1).
    let out = run(
        Command::new("opensc-tool").args([
            "-r",
            "0",
            "-s",
            "00:70:00:01:00",
            "-s",
            "00:70:80:01:00",
        ]),
        Duration::from_secs(20),
    )
    .ok("opensc-tool MANAGE CHANNEL");
    assert_eq!(out.matches("SW1=0x90, SW2=0x00").count(), 2, "{out}");
    let _ = ctx;
}

/// scriptor: a script file, T=0 answers as the card gives them.
fn scriptor(ctx: &Ctx) {
    let script = ctx.path("scriptor.txt");
    fs::write(
        &script,
        "# SELECT MF without and with FCP, then the FCP by GET RESPONSE\n\
         00 A4 00 0C 02 3F 00\n\
         00 A4 00 04 02 3F 00 00\n\
         00 C0 00 00 2B\n\
         # the GSM SIM application: SELECT MF, 9F17, GET RESPONSE\n\
         A0 A4 00 00 02 3F 00\n\
         A0 C0 00 00 17\n",
    )
    .unwrap();
    let out = run(
        Command::new("scriptor").args(["-r", &ctx.r0]).arg(&script),
        Duration::from_secs(20),
    )
    .ok("scriptor");
    assert!(out.contains("< 90 00 : Normal processing."), "{out}");
    assert!(out.contains("< 61 2B"), "{out}");
    assert!(out.contains("< 62 29 82 02 78 21"), "{out}");
    assert!(out.contains("< 9F 17"), "{out}");
    assert!(out.contains("< 00 00 00 00 3F 00 01 00"), "{out}");
}

/// pyscard under Debian's python3, on slot 1.
fn pyscard(ctx: &Ctx) {
    let script = ctx.path("select.py");
    fs::write(
        &script,
        r#"import sys
from smartcard.System import readers
r = [x for x in readers() if str(x) == sys.argv[1]][0]
c = r.createConnection()
c.connect()
print("ATR", bytes(c.getATR()).hex().upper())
data, sw1, sw2 = c.transmit([0x00, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00, 0x00])
print("SELECT %02X%02X" % (sw1, sw2))
data, sw1, sw2 = c.transmit([0x00, 0xC0, 0x00, 0x00, sw2])
print("GET RESPONSE", bytes(data).hex().upper(), "%02X%02X" % (sw1, sw2))
c.disconnect()
"#,
    )
    .unwrap();
    let out = run(
        Command::new("/usr/bin/python3").arg(&script).arg(&ctx.r1),
        Duration::from_secs(20),
    )
    .ok("pyscard");
    assert!(out.contains(&format!("ATR {}", atr_hex())), "{out}");
    assert!(out.contains("SELECT 612B"), "{out}");
    assert!(out.contains("GET RESPONSE 62298202782183023F00"), "{out}");
    assert!(out.trim_end().ends_with(" 9000"), "{out}");
}

fn pcsc_list_and_send(ctx: &Ctx) {
    let out = vusim(&["pcsc", "list", "--json"]).ok("pcsc list");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    for (l, r) in lines.iter().zip([&ctx.r0, &ctx.r1]) {
        assert_eq!(l["reader"], r.as_str());
        assert_eq!(l["card"], true);
        assert_eq!(l["atr"], atr_hex().as_str());
    }
    // T=0 done by vusim: the complete FCP, annotated.
    let out = vusim(&["pcsc", "send", "--reader", &ctx.r0, "00A40004023F0000"]).ok("pcsc send");
    assert!(out.contains("SELECT by FID 3F00 (MF), return FCP"), "{out}");
    assert!(out.contains("< 62298202782183023F00"), "{out}");
    assert!(out.contains("9000 normal ending"), "{out}");
    // 6Cxx: READ BINARY of EF.ICCID with a wrong Le is resent with the right one.
    let out = vusim(&[
        "pcsc",
        "send",
        "--reader",
        "00 01",
        "--json",
        "00A4000C022FE2",
        "00B000000C",
    ])
    .ok("pcsc send 6Cxx");
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["sw"], "9000", "{out}");
    assert_eq!(last["data"].as_str().unwrap().len(), 20, "{out}");
    // --raw shows what the card answers.
    let out = vusim(&["pcsc", "send", "-r", &ctx.r0, "--raw", "00A40004023F0000"]).ok("raw");
    assert!(out.contains("< 612B"), "{out}");
    // Unknown reader: an error naming the readers.
    let out = vusim(&["pcsc", "send", "-r", "nope", "00A4000C023F00"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stderr.contains("vusim 00 00"), "{}", out.stderr);
}

struct Gba {
    autn_star: String,
    res: String,
}

/// GBA_U bootstrap (TS 33.220 Annex G, TS 31.102 §7.1.2.4) over PC/SC with `pcsc run`: AUTN* from
/// the network-side calculator, RES checked against XRES.
fn gba_bootstrap(ctx: &Ctx) -> Gba {
    let v = calc(&[
        "milenage", "--k", K, "--opc", OPC, "--rand", RAND, "--sqn", SQN, "--amf", "8000",
    ]);
    let star = calc(&["gba-autn", "--ik", &v["ik"], "--autn", &v["autn"]]);
    let gba = Gba {
        autn_star: star["autn_star"].clone(),
        res: v["res"].clone(),
    };
    fs::write(
        ctx.path("gba.script"),
        "# GBA_U bootstrap over PC/SC\n\
         select ADF.USIM => 62 * 9000\n\
         verify pin1 1234 => 9000\n\
         gba bootstrap ${rand} ${autn} => DB 08 ${res:8} 9000\n\
         echo RES ${res}\n",
    )
    .unwrap();
    let out = vusim(&[
        "pcsc",
        "run",
        "--reader",
        &ctx.r0,
        "--set",
        &format!("rand={RAND}"),
        "--set",
        &format!("autn={}", gba.autn_star),
        &ctx.p("gba.script"),
    ])
    .ok("pcsc run gba");
    assert!(out.contains(&format!("RES {}", gba.res)), "{out}");
    assert!(out.contains("all passed"), "{out}");
    gba
}

/// Both slots busy at once, from two PC/SC contexts.
fn both_slots_at_once(ctx: &Ctx) {
    let workers: Vec<_> = [ctx.r0.clone(), ctx.r1.clone()]
        .into_iter()
        .map(|reader| {
            thread::spawn(move || {
                let client = Client::establish().unwrap();
                let mut conn = client.connect(&reader).unwrap();
                let select =
                    vusim_apdu::Command::parse(&hex::decode("00A40004023F0000").unwrap()).unwrap();
                for _ in 0..100 {
                    let r = conn.transmit(&select).unwrap();
                    assert_eq!(r.sw, vusim_apdu::StatusWord::SUCCESS);
                    assert_eq!(r.data.len(), 43);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

/// Clients that vanish mid-session (response data pending, never disconnected; killed in a
/// loop) leave a card that still answers the next client correctly.
fn client_vanishes(ctx: &Ctx) {
    let script = ctx.path("vanish.py");
    fs::write(
        &script,
        r#"import os, sys
from smartcard.System import readers
r = [x for x in readers() if str(x) == sys.argv[1]][0]
c = r.createConnection()
c.connect()
c.transmit([0x00, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00, 0x00])
if sys.argv[2] == "exit":
    os._exit(0)
print("looping", flush=True)
while True:
    c.transmit([0x00, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00, 0x00])
"#,
    )
    .unwrap();
    run(
        Command::new("/usr/bin/python3")
            .arg(&script)
            .arg(&ctx.r0)
            .arg("exit"),
        Duration::from_secs(20),
    )
    .ok("vanishing client");
    let mut looping = Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(&ctx.r1)
        .arg("loop")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(700));
    let _ = looping.kill(); // SIGKILL in the middle of its APDU loop
    let _ = looping.wait();
    for r in [&ctx.r0, &ctx.r1] {
        let out = vusim(&[
            "pcsc",
            "send",
            "-r",
            r,
            "00A40004023F0000",
            "00A4000C022FE2",
        ])
        .ok("after a vanished client");
        assert!(out.contains("< 62298202782183023F00"), "{out}");
        assert!(
            out.trim_end()
                .ends_with("9000 normal ending of the command"),
            "{out}"
        );
    }
}

/// pcscd restarts while serving: the bridge logs, waits and reconnects; once at once, once
/// after a pause.
fn pcscd_restart(ctx: &mut Ctx, serve: &Serve) {
    ctx.pcscd.restart().unwrap();
    wait_cards(&[&ctx.r0, &ctx.r1]);
    ctx.pcscd.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !serve
        .log()
        .contains("slot 0: waiting for vpcd at 127.0.0.1:40000")
    {
        assert!(Instant::now() < deadline, "{}", serve.log());
        thread::sleep(Duration::from_millis(20));
    }
    ctx.pcscd.restart().unwrap();
    wait_cards(&[&ctx.r0, &ctx.r1]);
    let out = vusim(&["pcsc", "send", "-r", &ctx.r1, "00A4000C023F00"]).ok("after restart");
    assert!(out.contains("< 9000"), "{out}");
    let log = serve.log();
    assert!(
        log.contains("slot 0: vpcd at 127.0.0.1:40000 closed the connection"),
        "{log}"
    );
    assert_eq!(
        log.matches("slot 1: connected to vpcd at 127.0.0.1:40001")
            .count(),
        3,
        "{log}"
    );
    assert!(
        log.contains("slot 0: connected to vpcd at 127.0.0.1:40000 after waiting"),
        "{log}"
    );
}

/// The pcap written by serve, read by tshark's GSM SIM dissector.
fn tshark(ctx: &Ctx) {
    let out = run(
        Command::new("tshark")
            .arg("-r")
            .arg(ctx.path("trace.pcap"))
            .args(["-Y", "gsm_sim"]),
        Duration::from_secs(60),
    )
    .ok("tshark");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 20, "{out}");
    assert!(lines.iter().all(|l| l.contains("GSM SIM")), "{out}");
    assert!(out.contains("SELECT"), "{out}");
    assert!(out.contains("GET RESPONSE"), "{out}");
    assert!(out.contains("AUTHENTICATE"), "{out}");
    let out = run(
        Command::new("tshark")
            .arg("-r")
            .arg(ctx.path("trace.pcap"))
            .args([
                "-Y",
                "gsm_sim.apdu.ins == 0x88",
                "-T",
                "fields",
                "-e",
                "ip.src",
            ]),
        Duration::from_secs(60),
    )
    .ok("tshark fields");
    assert_eq!(
        out.trim(),
        "127.0.0.1",
        "the GBA exchange was on slot 0: {out}"
    );
    let out = run(
        Command::new("tshark")
            .arg("-r")
            .arg(ctx.path("trace.pcap"))
            .args(["-Y", "ip.src == 127.0.0.2 && gsm_sim"]),
        Duration::from_secs(60),
    )
    .ok("tshark slot 1");
    assert!(out.lines().count() > 2, "slot 1 (pyscard) traced: {out}");
}

/// The card file kept the SQN: after a restart of serve, the same AUTN* is a replay and the
/// card answers with a synchronisation failure (AUTS).
fn state_survives_restart(ctx: &Ctx, gba: &Gba) {
    let mut serve = Serve::start(&ctx.path("serve2.log"), &["--card", &ctx.p("a.toml"), "-q"]);
    wait_cards(&[&ctx.r0]);
    fs::write(
        ctx.path("replay.script"),
        "select ADF.USIM => 62 * 9000\n\
         verify pin1 1234 => 9000\n\
         gba bootstrap ${rand} ${autn} => DC 0E ${auts:14} 9000\n",
    )
    .unwrap();
    let out = vusim(&[
        "pcsc",
        "run",
        "-r",
        &ctx.r0,
        "--set",
        &format!("rand={RAND}"),
        "--set",
        &format!("autn={}", gba.autn_star),
        &ctx.p("replay.script"),
    ])
    .ok("replay");
    assert!(out.contains("all passed"), "{out}");
    serve.terminate();
    let log = serve.log();
    assert!(!log.contains("SELECT"), "-q logs no APDUs:\n{log}");
}

/// With pcscd gone, serve says what it is waiting for, and stops on SIGINT-equivalent SIGTERM.
fn no_pcscd_logs_waiting(ctx: &mut Ctx) {
    ctx.pcscd.stop();
    let mut serve = Serve::start(&ctx.path("serve3.log"), &[]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !serve.log().contains("waiting for vpcd at 127.0.0.1:40000") {
        assert!(Instant::now() < deadline, "{}", serve.log());
        thread::sleep(Duration::from_millis(50));
    }
    serve.terminate();
}
