//! Crash safety: `vusim send --card FILE` is killed (SIGKILL) at random points, ≥ 100 times,
//! during long runs of state-changing commands. After every kill the card file loads, and its
//! state never goes back in time: it holds at least every update whose response was printed
//! (state is saved before the response leaves the card), and never less than before. A second
//! test does the same to a loadable applet's persistent store.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vusim_applet::store::DurableCard;

/// The counter the test writes into EF.LOCI bytes 0–3 (TMSI), read back through APDUs.
fn counter(path: &std::path::Path) -> u32 {
    let mut card =
        DurableCard::open(path).unwrap_or_else(|e| panic!("card file must always load: {e}"));
    for apdu in [
        "00A4040C07A0000000871002",
        "002000010831323334FFFFFFFF",
        "00A4000C026F7E",
        "00B0000004",
    ] {
        let r = card
            .transmit(&hex::decode(apdu).expect("hex"))
            .expect("transmit");
        if apdu == "00B0000004" {
            assert_eq!(r.get(4..), Some(&[0x90, 0x00][..]), "READ BINARY EF.LOCI");
            let v: [u8; 4] = r.get(..4).and_then(|b| b.try_into().ok()).expect("4 bytes");
            return u32::from_be_bytes(v);
        }
        assert_eq!(r, [0x90, 0x00], "{apdu}");
    }
    unreachable!()
}

/// splitmix64 for the kill delays (fixed seed: reproducible).
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn kill_minus_nine_never_loses_or_rolls_back_state() {
    let dir = std::env::temp_dir().join(format!("vusim-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("card.toml");
    std::fs::write(&path, vusim_applet::profile::DEFAULT_PROFILE).expect("card file");
    let mut seed = 0x5EED_0000_0000_0001u64;
    let mut kills = 0;
    {
        // Start the counter (EF.LOCI's TMSI, FFFFFFFF by default) at zero.
        let mut card = DurableCard::open(&path).expect("card");
        for apdu in [
            "00A4040C07A0000000871002",
            "002000010831323334FFFFFFFF",
            "00A4000C026F7E",
            "00D600000400000000",
        ] {
            assert_eq!(
                card.transmit(&hex::decode(apdu).expect("hex"))
                    .expect("transmit"),
                [0x90, 0x00]
            );
        }
    }
    let mut last = counter(&path);
    assert_eq!(last, 0);
    let started = Instant::now();
    while kills < 120 {
        // A long run: VERIFY PIN1, SELECT EF.LOCI, then UPDATE BINARY with increasing counters.
        let mut args = vec![
            "send".to_string(),
            "--json".to_string(),
            "--card".to_string(),
            path.display().to_string(),
            "00A4040C07A0000000871002".to_string(),
            "002000010831323334FFFFFFFF".to_string(),
            "00A4000C026F7E".to_string(),
        ];
        for v in last + 1..last + 400 {
            args.push(format!("00D6000004{v:08X}"));
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_vusim"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn vusim");
        let stdout = child.stdout.take().expect("stdout");
        let delay = Duration::from_micros(next(&mut seed) % 40_000);
        let reader = std::thread::spawn(move || {
            // The highest counter whose UPDATE BINARY response (9000) was printed.
            let mut acked = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: serde_json::Value = match serde_json::from_str(&line) {
                    Ok(v) => v,
                    Err(_) => continue,
                };
                let cmd = v["command"].as_str().unwrap_or_default();
                if cmd.starts_with("00D6000004") && v["sw"] == "9000" {
                    acked = u32::from_str_radix(&cmd[10..18], 16).ok();
                }
            }
            acked
        });
        std::thread::sleep(delay);
        let finished = child.try_wait().expect("try_wait").is_some();
        if !finished {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        child.wait().expect("wait");
        let acked = reader.join().expect("reader");
        let now = counter(&path);
        assert!(
            now >= last,
            "state went back in time: {now} < {last} (kill {kills})"
        );
        if let Some(a) = acked {
            assert!(
                now >= a,
                "an acknowledged update was lost: file has {now}, response for {a} was printed"
            );
        }
        last = now;
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "crash test taking too long"
        );
    }
    assert!(last > 0, "no update ever landed");
}

/// The loadable counter applet's persistent value (examples/applets/counter.wat: GET).
fn applet_counter(path: &std::path::Path) -> u32 {
    let mut card =
        DurableCard::open(path).unwrap_or_else(|e| panic!("card file must always load: {e}"));
    let sel = card
        .transmit(&hex::decode("00A4040C0EF0565553494D2D434F554E540001").expect("hex"))
        .expect("transmit");
    assert_eq!(sel, [0x90, 0x00], "SELECT the counter");
    let r = card
        .transmit(&hex::decode("8002000000").expect("hex"))
        .expect("transmit");
    assert_eq!(r.get(4..), Some(&[0x90, 0x00][..]), "GET");
    let v: [u8; 4] = r.get(..4).and_then(|b| b.try_into().ok()).expect("4 bytes");
    u32::from_be_bytes(v)
}

/// The same for a loadable applet's persistent store (docs/applets.md §2): runs of ADD 1 to the
/// WAT counter are killed at random points; the value in the card file never goes back and
/// holds every addition whose response was printed.
#[test]
fn kill_minus_nine_never_loses_or_rolls_back_applet_state() {
    let dir = std::env::temp_dir().join(format!("vusim-crash-applet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("card.toml");
    std::fs::write(&path, vusim_applet::profile::DEFAULT_PROFILE).expect("card file");
    {
        let module = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/applets/counter.wasm"
        );
        let mut card = DurableCard::open(&path).expect("card");
        let req = vusim_applet::wasm::Request {
            name: "counter.wasm".into(),
            bytes: std::fs::read(module).expect("counter.wasm"),
            ..Default::default()
        };
        vusim_applet::wasm::install(&mut card, &req).expect("install");
    }
    let mut last = applet_counter(&path);
    assert_eq!(last, 0);
    let mut seed = 0x5EED_0000_0000_0002u64;
    let mut kills = 0;
    let started = Instant::now();
    while kills < 40 {
        let mut args = vec![
            "send".to_string(),
            "--json".to_string(),
            "--card".to_string(),
            path.display().to_string(),
            "00A4040C0EF0565553494D2D434F554E540001".to_string(),
        ];
        args.extend((0..300).map(|_| "8004010000".to_string()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_vusim"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn vusim");
        let stdout = child.stdout.take().expect("stdout");
        let delay = Duration::from_micros(next(&mut seed) % 60_000);
        let reader = std::thread::spawn(move || {
            // The highest value an ADD answered (printed before the kill).
            let mut acked = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if v["command"] == "8004010000" && v["sw"] == "9000" {
                    acked = v["data"]
                        .as_str()
                        .and_then(|d| u32::from_str_radix(d, 16).ok());
                }
            }
            acked
        });
        std::thread::sleep(delay);
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        child.wait().expect("wait");
        let acked = reader.join().expect("reader");
        let now = applet_counter(&path);
        assert!(
            now >= last,
            "applet state went back: {now} < {last} (kill {kills})"
        );
        if let Some(a) = acked {
            assert!(
                now >= a,
                "an acknowledged ADD was lost: file has {now}, {a} was printed"
            );
        }
        last = now;
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "applet crash test taking too long"
        );
    }
    assert!(last > 0, "no ADD ever landed");
}
