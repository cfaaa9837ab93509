//! The link arguments of the wasm32 applets built from this package (its examples): a small
//! stack and memory within the firewall's 4-page cap (docs/applets.md §5; Rust's default stack alone is 1 MiB).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        for arg in [
            "-zstack-size=16384",
            "--initial-memory=131072",
            "--max-memory=131072",
        ] {
            println!("cargo:rustc-link-arg={arg}");
        }
    }
}
