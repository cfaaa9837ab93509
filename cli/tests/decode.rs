//! `vusim decode` end to end: the binary annotates commands, responses and status words.

mod common;
use common::vusim;

#[test]
fn select_mf_and_file_not_found() {
    let (code, out, _) = vusim(&["decode", "00A40004023F0000", "6A82"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "> 00A40004023F0000\n  SELECT by FID 3F00 (MF), return FCP\n  CLA 00 INS A4 P1 00 P2 04 Lc 02 Data 3F00 Le 00 (Ne 256) (case 4S, channel 0)\n< 6A82\n  6A82 file or application not found\n"
    );
}

#[test]
fn lone_status_word() {
    let (code, out, _) = vusim(&["decode", "6A82"]);
    assert_eq!(code, 0);
    assert_eq!(out, "< 6A82\n  6A82 file or application not found\n");
}

#[test]
fn authenticate_answer_gets_usim_meaning() {
    let (_, out, _) = vusim(&["decode", "0088008122", "9862"]);
    assert!(
        out.contains("9862 authentication error, incorrect MAC"),
        "{out}"
    );
}

#[test]
fn extended_status_as_modems_send_it_json() {
    let (code, out, _) = vusim(&["decode", "--json", "80 F2 00 00 00 01 68"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["type"], "command");
    assert_eq!(v["case"], "2E");
    assert_eq!(v["le"], 360);
    assert_eq!(v["description"], "STATUS, return FCP of the current DF/ADF");
}

#[test]
fn fcp_response_is_outlined() {
    let (code, out, _) = vusim(&[
        "decode",
        "-r",
        "62178202412183026F078A01058B036F060A800200098801389000",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("    file identifier 6F07 (EF.IMSI)"), "{out}");
    assert!(out.contains("    short file identifier 07"), "{out}");
    assert!(
        out.contains("    life cycle status 05: operational, activated"),
        "{out}"
    );
}

/// Files are named in the DF context the SELECTs before them leave (TS 102 221 §8.4.1):
/// '4F05' is EF.5GAUTHKEYS in DF.5GS (TS 31.102 §4.4.11.6), nothing at the MF, and
/// EF.PROSE_RADIO_MON in DF.ProSe (§4.4.8).
#[test]
fn files_are_named_in_their_df_context() {
    let (code, out, _) = vusim(&[
        "decode",
        "00A4000C024F05",
        "6A82",
        "00A4040C07A0000000871002",
        "9000",
        "00A4000C025FC0",
        "9000",
        "00A4000C024F05",
        "9000",
        "00A4000C025F90",
        "6A82",
        "00A4000C027FFF",
        "9000",
        "00A4000C025F90",
        "9000",
        "00A4000C024F05",
        "9000",
    ]);
    assert_eq!(code, 0);
    let described: Vec<&str> = out.lines().filter(|l| l.starts_with("  SELECT")).collect();
    assert_eq!(
        described,
        [
            "  SELECT by FID 4F05, no data returned",
            "  SELECT by DF name (AID) A0000000871002 (USIM), no data returned",
            "  SELECT by FID 5FC0 (DF.5GS), no data returned",
            "  SELECT by FID 4F05 (EF.5GAUTHKEYS), no data returned",
            "  SELECT by FID 5F90 (DF.ProSe), no data returned",
            "  SELECT by FID 7FFF (ADF.USIM), no data returned",
            "  SELECT by FID 5F90 (DF.ProSe), no data returned",
            "  SELECT by FID 4F05 (EF.PROSE_RADIO_MON), no data returned",
        ],
        "{out}"
    );
}

#[test]
fn malformed_apdu_names_the_status_word() {
    let (code, out, _) = vusim(&["decode", "00A40004023F"]);
    assert_eq!(code, 0);
    assert!(out.contains("a UICC answers 6700 wrong length"), "{out}");
}

#[test]
fn bad_hex_is_an_error_naming_the_argument() {
    let (code, _, err) = vusim(&["decode", "00A4", "0G"]);
    assert_eq!(code, 2);
    assert!(err.contains("argument 2 (\"0G\")"), "{err}");
    let (code, _, err) = vusim(&["decode", "00A4000"]);
    assert_eq!(code, 2);
    assert!(err.contains("odd number of hex digits"), "{err}");
}

#[test]
fn ef_contents_are_decoded() {
    let (code, out, _) = vusim(&["decode", "--ef", "EF.IMSI", "080910101032547698"]);
    assert_eq!(code, 0);
    assert_eq!(out, "EF.IMSI 080910101032547698\n  IMSI 001010123456789\n");
    let (_, out, _) = vusim(&["decode", "--ef", "EF.LOCI", "FFFFFFFF00F1100000FF01"]);
    assert!(
        out.contains("TMSI FFFFFFFF, LAI 001-01 LAC 0000, not updated"),
        "{out}"
    );
    let (code, _, err) = vusim(&["decode", "--ef", "EF.NOPE", "00"]);
    assert_eq!(code, 2);
    assert!(err.contains("no decoder for \"EF.NOPE\""), "{err}");
}
