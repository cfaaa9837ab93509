//! The USIM's 3G and GSM answers against an independent AuC packaged in Debian, `osmo-auc-gen`
//! (libosmocore-utils), for 100 drawn K/OPc/RAND/SQN/AMF: RES, CK, IK and Kc; SRES/Kc in the
//! GSM context; AUTS accepted by osmo-auc-gen with the right SQN_MS; its resynchronised AUTN
//! accepted by the card.

use std::collections::HashMap;
use std::process::Command;

use vusim_applet::card::Card;
use vusim_applet::profile::Profile;
use vusim_integration::{exchange, send};

/// splitmix64: a fixed, printed seed makes every draw reproducible.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn osmo(args: &[&str]) -> HashMap<String, String> {
    let out = Command::new("osmo-auc-gen")
        .args(args)
        .output()
        .expect("osmo-auc-gen (Debian package libosmocore-utils) must be installed: scripts/test installs it");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "osmo-auc-gen {args:?} failed: {text}");
    text.lines()
        .filter_map(|l| l.split_once(":\t"))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn card(k: &str, opc: &str) -> Card {
    let mut p = Profile::embedded_default();
    p.auth.k = k.to_string();
    p.auth.op = None;
    p.auth.opc = Some(opc.to_string());
    p.auth.sqn.delta = 0;
    let mut c = p.build_card("osmo test").expect("card");
    exchange(&mut c, "00 A4 04 0C 07 A0000000871002", "9000");
    exchange(&mut c, "00 20 00 01 08 31323334FFFFFFFF", "9000");
    c
}

#[test]
fn usim_agrees_with_osmo_auc_gen_on_100_draws() {
    let seed = 0x7675_7369_6D00_0001;
    let mut d = Draw(seed);
    for case in 0..100 {
        let k = hex::encode(d.bytes(16));
        let opc = hex::encode(d.bytes(16));
        let rand = hex::encode(d.bytes(16));
        let amf = hex::encode(d.bytes(2));
        // SQN = SEQ ‖ IND with SEQ ≥ 1, below 2^40 so osmo's next SQN stays in 48 bits.
        let sqn = ((d.next() % (1 << 35)) + 1) << 5 | (d.next() % 32);
        let ctx = format!(
            "case {case} (seed {seed:#x}): K {k} OPc {opc} RAND {rand} SQN {sqn} AMF {amf}"
        );
        let sqn_arg = sqn.to_string();
        let av = osmo(&[
            "-3", "-a", "milenage", "-k", &k, "-o", &opc, "-r", &rand, "-s", &sqn_arg, "-f", &amf,
        ]);
        let mut c = card(&k, &opc);
        let cmd = format!("00 88 00 81 22 10 {rand} 10 {} 00", av["AUTN"]);
        let want = format!(
            "DB08{}10{}10{}08{}9000",
            av["RES"], av["CK"], av["IK"], av["Kc"]
        )
        .to_uppercase();
        assert_eq!(send(&mut c, &cmd), want, "3G context, {ctx}");
        let gsm = send(&mut c, &format!("00 88 00 80 11 10 {rand} 00"));
        assert_eq!(
            gsm,
            format!("04{}08{}9000", av["SRES"], av["Kc"]).to_uppercase(),
            "GSM context, {ctx}"
        );
        // Replay → AUTS, which osmo-auc-gen verifies and decodes to the SQN the card accepted.
        let r = send(&mut c, &cmd);
        assert!(
            r.starts_with("DC0E") && r.ends_with("9000"),
            "replay, {ctx}: {r}"
        );
        let auts = &r[4..32];
        let resync = osmo(&[
            "-3", "-a", "milenage", "-k", &k, "-o", &opc, "-r", &rand, "-A", auts,
        ]);
        assert_eq!(
            resync.get("SQN.MS").map(String::as_str),
            Some(sqn_arg.as_str()),
            "AUTS, {ctx}"
        );
        // The AuC's next vector after resynchronisation is fresh for the card.
        let next = format!("00 88 00 81 22 10 {rand} 10 {} 00", resync["AUTN"]);
        let r = send(&mut c, &next);
        assert!(r.starts_with("DB08"), "after resync, {ctx}: {r}");
    }
}
