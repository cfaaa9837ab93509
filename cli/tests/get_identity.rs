//! SUCI by the USIM end to end through the binary: `vusim send --card` runs GET IDENTITY
//! (TS 31.102 §7.5) on a card file with UST n°124 and n°125 and a TS 33.501 Annex C.4 home
//! network key, and `vusim calc suci-deconceal` — the network side — recovers the card's MSIN
//! from the scheme output, for ECIES profiles A and B.

#![allow(clippy::indexing_slicing)] // test code indexes known-good JSON and checked lengths

mod common;

use common::vusim;
use serde_json::Value;

fn vector(scheme: &str) -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/suci.json"))
            .expect("read vectors/suci.json");
    let all: Value = serde_json::from_str(&text).expect("json");
    all["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .find(|v| v["scheme"] == scheme && v["supi_type"] == "imsi")
        .cloned()
        .expect("vector")
}

#[test]
fn card_suci_deconceals_with_vusim_calc() {
    let dir = std::env::temp_dir().join(format!("vusim-get-identity-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for (scheme, profile, id) in [("profile_a", "a", 1u8), ("profile_b", "b", 2)] {
        let v = vector(scheme);
        let card = dir.join(format!("{profile}.toml"));
        std::fs::write(
            &card,
            format!(
                r#"[usim]
imsi = "310260123456789"
mnc_len = 3
routing_indicator = "7"

[usim.suci]
scheme = "{}"
key_id = 5
public_key = "{}"

[auth]
algorithm = "milenage"
k = "465B5CE8B199B49FAA5F0A2EE238A6BC"
opc = "CD63CB71954A9F4E48A5994E37A02BAF"

[services]
ust = [12, 19, 20, 21, 27, 33, 34, 38, 42, 43, 68, 71, 85, 122, 123, 124, 125, 126, 129]
"#,
                scheme.replace('_', "-"),
                v["hn_public_key"].as_str().expect("key")
            ),
        )
        .expect("write card");
        let card = card.display().to_string();
        let (code, out, err) = vusim(&[
            "send",
            "--json",
            "--card",
            &card,
            "00A4040C07A0000000871002",
            "002000010831323334FFFFFFFF",
            "8078000100",
        ]);
        assert_eq!(code, 0, "{out}\n{err}");
        let last: Value = serde_json::from_str(out.lines().last().expect("a line")).expect("json");
        assert_eq!(last["sw"], "9000", "{out}");
        let data = hex::decode(last["data"].as_str().expect("data")).expect("hex");
        // A1 L | 01 | MCC 310 / MNC 260: 13 00 62 | RI 7: F7 FF | scheme | key id 05 | output.
        assert_eq!(data[0], 0xA1);
        assert_eq!(usize::from(data[1]), data.len() - 2);
        assert_eq!(
            hex::encode_upper(&data[2..10]),
            format!("01130062F7FF{id:02X}05")
        );
        let output = hex::encode(&data[10..]);
        let (code, out, err) = vusim(&[
            "calc",
            "suci-deconceal",
            "--profile",
            profile,
            "--hn-priv",
            v["hn_private_key"].as_str().expect("priv"),
            "--scheme-output",
            &output,
            "--json",
        ]);
        assert_eq!(code, 0, "{out}\n{err}");
        let got: Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(got["mac_ok"], true, "{out}");
        assert_eq!(got["msin"], "123456789", "{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
