//! A fast path for long `vusim send` command lines: clap spends about a microsecond on every
//! value it stores, so the trailing run of APDU arguments (after the first two plain arguments
//! of that run) is set aside before clap parses the rest, and appended to the APDUs afterwards.
//! clap still sees every option and at least one APDU, so errors, `--help` and the grammar are
//! unchanged: arguments after the last one that starts with `-` can only be positional values
//! (or, the first of them, the value of that option).

use std::ffi::OsString;

/// How many plain arguments of the trailing run clap still parses (an option's value and one
/// APDU).
const KEEP: usize = 2;

/// Split `argv` into what clap parses and the APDU arguments set aside (in order). Only
/// `vusim send` is split, and only when every argument set aside is UTF-8 (clap would refuse
/// the others with its own message).
pub fn split(argv: Vec<OsString>) -> (Vec<OsString>, Vec<String>) {
    if argv.get(1).is_none_or(|a| a != "send") {
        return (argv, Vec::new());
    }
    let first_plain = argv
        .iter()
        .rposition(|a| a.as_encoded_bytes().starts_with(b"-"))
        .map_or(2, |i| i + 1)
        .max(2);
    let cut = first_plain + KEEP;
    if argv.len() <= cut {
        return (argv, Vec::new());
    }
    let mut argv = argv;
    let mut rest = Vec::with_capacity(argv.len() - cut);
    let mut tail = argv.split_off(cut).into_iter();
    while let Some(a) = tail.next() {
        match a.into_string() {
            Ok(s) => rest.push(s),
            Err(a) => {
                argv.extend(rest.into_iter().map(OsString::from));
                argv.push(a);
                argv.extend(tail);
                return (argv, Vec::new());
            }
        }
    }
    (argv, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_the_trailing_plain_run_of_send_is_set_aside() {
        let (a, r) = split(v(&["vusim", "send", "A", "B", "C", "D"]));
        assert_eq!(
            (a, r),
            (
                v(&["vusim", "send", "A", "B"]),
                vec!["C".into(), "D".into()]
            )
        );
        // The value of the last option stays with clap, with one APDU.
        let (a, r) = split(v(&["vusim", "send", "--card", "f", "A", "B"]));
        assert_eq!(
            (a, r),
            (v(&["vusim", "send", "--card", "f", "A"]), vec!["B".into()])
        );
        // An option at the end: nothing is set aside.
        let all = v(&["vusim", "send", "A", "B", "C", "--json"]);
        assert_eq!(split(all.clone()), (all, Vec::new()));
        let all = v(&["vusim", "run", "a", "b", "c", "d"]);
        assert_eq!(split(all.clone()), (all, Vec::new()));
        let (a, r) = split(v(&["vusim", "send", "--", "-A", "B", "C"]));
        assert_eq!(
            (a, r),
            (
                v(&["vusim", "send", "--", "-A", "B", "C"]),
                Vec::<String>::new()
            )
        );
        let (a, r) = split(v(&["vusim", "send", "--", "A", "B", "C"]));
        assert_eq!(
            (a, r),
            (v(&["vusim", "send", "--", "A", "B"]), vec!["C".into()])
        );
        // A non-UTF-8 argument: clap gets everything, in order, to refuse it itself.
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let mut all = v(&["vusim", "send", "A", "B", "C"]);
            all.push(OsString::from_vec(vec![0xFF]));
            all.push("D".into());
            assert_eq!(split(all.clone()), (all, Vec::new()));
        }
    }
}
