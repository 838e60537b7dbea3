//! `cargo xtask bench --ray`: `grequests_rs.ray.fetch` against the same Ray Data pipeline
//! written with requests (a Session and a thread pool of 50 per actor) and with aiohttp (a
//! ClientSession and a semaphore of 50 per actor): 100 000 URLs over 100 origins (nginx on
//! 100 ports), a local cluster of 2 actors, in interleaved rounds
//! (`xtask/peers/ray_pipeline.py` is each pipeline).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use grequests_testserver::PythonEnv;

use super::servers::{origin_ports, start_nginx, wait_for};
use super::{side_by_side, work_dir};

/// Origins: nginx listens on this many ports from [`FIRST_PORT`], below the ephemeral
/// range ([`origin_ports`] says why).
const ORIGINS: u16 = 100;
const FIRST_PORT: u16 = 21_000;
/// Actors of the local cluster, and requests in flight in each.
const ACTORS: usize = 2;
const SIZE: usize = 50;
/// The pipelines' contenders, ours first (`ray_pipeline.py`'s names).
const CONTENDERS: [&str; 3] = ["grequests-rs", "aiohttp", "requests"];

pub fn run_ray(quick: bool, rounds: usize, docs: bool) -> Result<(), String> {
    let count = if quick { 10_000 } else { 100_000 };
    let dir = std::fs::canonicalize(work_dir())
        .map_err(|e| e.to_string())?
        .join("ray");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    eprintln!("$ Ray Data, requests, aiohttp and grequests_rs (release) in target/bench/ray-venv");
    let env = PythonEnv::ensure(
        work_dir().join("ray-venv"),
        "import ray.data, requests, aiohttp, maturin",
        &[
            "ray[data]>=2.49",
            "requests",
            "aiohttp",
            "maturin>=1.9.4,<2",
        ],
    )?;
    env.install_wheel(
        Path::new("crates/grequests-py/Cargo.toml"),
        Path::new("target/python-release"),
        true,
    )?;
    let ports = origin_ports(FIRST_PORT, ORIGINS)?;
    let mut nginx = start_nginx(&dir.join("nginx"), &ports)?;
    wait_for(FIRST_PORT + ORIGINS - 1)?;
    let urls = dir.join("urls.txt");
    let mut list = String::new();
    for i in 0..count {
        let port = FIRST_PORT + (i % ORIGINS as usize) as u16;
        let _ = writeln!(list, "http://127.0.0.1:{port}/small?i={i}");
    }
    std::fs::write(&urls, list).map_err(|e| format!("{}: {e}", urls.display()))?;
    let samples = side_by_side::interleaved(&CONTENDERS, rounds, count, |index| {
        let mut command = Command::new(env.python());
        command
            .arg("xtask/peers/ray_pipeline.py")
            .arg(CONTENDERS[index])
            .arg(&urls)
            .args([ACTORS.to_string(), SIZE.to_string()]);
        Ok(command)
    });
    let _ = nginx.kill();
    let _ = nginx.wait();
    let title = format!(
        "Ray Data: {count} URLs over {ORIGINS} origins (nginx), {ACTORS} actors, {SIZE} at a time in each"
    );
    let table = side_by_side::table(&title, &samples, count, false, &[]);
    println!("{table}");
    if docs {
        side_by_side::write_docs_section("## Ray Data:", &table)?;
    }
    Ok(())
}
