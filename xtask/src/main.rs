//! `cargo xtask <task>`: the project's tasks, with no dependencies beyond std so that it builds
//! in seconds on a fresh machine.
//!
//! - `setup`          install the wasm32-wasip2 target and the local embedding model files
//! - `build-plugins`  build `plugins/` and `tests/fixtures/` for wasm32-wasip2
//! - `test`           setup, build plugins, run every test of both workspaces
//! - `lint`           rustfmt --check, clippy -D warnings (both workspaces), rustdoc -D warnings
//! - `demo`           setup, build plugins, run `weir demo`
//! - `bench`          the end-to-end sync benchmark (`bench relevance`: relevance; `--all`: every one)
//! - `reliability`    the long reliability suite, ending with `N passed, N failed`
//! - `fuzz`           each fuzz target of `fuzz/` for SECONDS (default 60), one summary line each
//! - `dist`           the release archive `dist/weir-<version>-<target>.tar.gz` and its checksum

mod dist;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-wasip2";
const WASM_WORKSPACES: &[&str] = &["plugins/Cargo.toml", "tests/fixtures/Cargo.toml"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match task {
        "setup" => setup(),
        "build-plugins" => build_plugins(),
        "test" => test(rest),
        "lint" => lint(),
        "demo" => demo(rest),
        "bench" => bench(rest),
        "reliability" => reliability(rest),
        "fuzz" => fuzz(rest),
        "dist" => dist(rest),
        "help" | "--help" | "-h" => {
            println!("{}", HELP);
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const HELP: &str = "usage: cargo xtask <task>

tasks:
  setup          install the wasm32-wasip2 target and the local embedding model
  build-plugins  build plugins/ and tests/fixtures/ for wasm32-wasip2
  test           setup, build plugins, run every test (what CI runs)
  lint           rustfmt --check, clippy -D warnings and rustdoc -D warnings on both workspaces
  demo [ARGS]    setup, build plugins, then run `weir demo ARGS`
  bench [ARGS]   the sync benchmark (scenarios: hash openai local scaling; sizes:
                 --products N --openai-products N --local-products N --scaling N,N,...;
                 --local-rounds N repeats local's comparison with the model alone);
                 bench relevance [--embedder hash] [--modes dense,sparse,hybrid-rrf,hybrid-dbsf]
                 [--verbose]: nDCG@10, recall@10, MRR of `weir search` per query kind;
                 bench --all: every benchmark of the workspace
  reliability    the long reliability suite (more kills, larger data, longer outages)
  fuzz [SECONDS] each fuzz target of fuzz/ for SECONDS (default 60) from fuzz/seeds/<target>,
                 with cargo-fuzz (installed if missing); crashes land in fuzz/artifacts/<target>
  dist [--profile P] the release archive dist/weir-<version>-<target>.tar.gz (+ dist/SHA256SUMS):
                 weir with the bundled plugins in it, qdrant-local, config/, the systemd unit,
                 the model setup script, licences; built --locked with the pinned toolchain,
                 profile release unless P is given (dev packs the test build)";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root()).env("CARGO_TARGET_DIR", target_dir());
    without_run_env(&mut cmd);
    cmd
}

/// Drops the variables `cargo run` sets for xtask itself (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`…)
/// from a cargo started by xtask. Build scripts that watch them (ring's watches
/// `CARGO_MANIFEST_DIR`) otherwise saw a different environment under `cargo xtask test` than
/// under a plain `cargo build`, and every switch between the two rebuilt ring, rustls, reqwest
/// and qdrant-edge.
fn without_run_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("CARGO_MANIFEST_")
            || name.starts_with("CARGO_PKG_")
            || matches!(
                name,
                "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE" | "CARGO_RUSTC_CURRENT_DIR"
            )
        {
            cmd.env_remove(name);
        }
    }
}

fn run(mut cmd: Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: running {}", shown.replace('"', ""));
    let status = cmd.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed with {status}")) }
}

fn setup() -> Result<(), String> {
    setup_wasm_target()?;
    setup_models()
}

fn setup_wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .current_dir(root())
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == WASM_TARGET))
        .unwrap_or(false);
    if !installed {
        let mut cmd = Command::new("rustup");
        cmd.current_dir(root()).args(["target", "add", WASM_TARGET]);
        run(cmd)?;
    }
    Ok(())
}

fn setup_models() -> Result<(), String> {
    let script = root().join("xtask/models/setup.py");
    if !script.is_file() {
        return Ok(());
    }
    let mut cmd = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned()));
    cmd.current_dir(root()).arg(script);
    if let Some(dir) = std::env::var_os("WEIR_MODEL_DIR") {
        cmd.arg("--cache-dir").arg(dir);
    }
    run(cmd)
}

fn build_plugins() -> Result<(), String> {
    for manifest in WASM_WORKSPACES {
        if !root().join(manifest).is_file() {
            continue;
        }
        let mut cmd = cargo();
        cmd.args(["build", "--release", "--target", WASM_TARGET, "--manifest-path", manifest]);
        run(cmd)?;
    }
    // Bundled plugins go where the host looks for them by default.
    let from = target_dir().join(WASM_TARGET).join("release");
    let to = target_dir().join("plugins");
    std::fs::create_dir_all(&to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let bundled = std::fs::read_to_string(root().join("plugins/Cargo.toml")).unwrap_or_default();
    for entry in std::fs::read_dir(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if path.extension().is_some_and(|e| e == "wasm") && bundled.contains(&format!("\"{}\"", stem.replace('_', "-")))
        {
            let dest = to.join(format!("{}.wasm", stem.replace('_', "-")));
            // `weir` embeds these files and its build script watches the directory: a copy of
            // the same bytes would still touch it and rebuild `weir` after every plugin build.
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if std::fs::read(&dest).is_ok_and(|old| old == bytes) {
                continue;
            }
            std::fs::write(&dest, &bytes).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
        }
    }
    Ok(())
}

/// The release archive: builds the plugins (they are embedded in `weir`), then `weir` and
/// `qdrant-local` with `--locked` in PROFILE (default `release`; rustup takes the toolchain from
/// `rust-toolchain.toml`), and packs them with the rest (see `dist.rs`) into `dist/`.
fn dist(args: &[String]) -> Result<(), String> {
    let profile = match args {
        [] => "release".to_owned(),
        [flag, p] if flag == "--profile" => p.clone(),
        _ => return Err(format!("dist: unknown arguments {args:?}; use `dist [--profile PROFILE]`")),
    };
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .current_dir(root())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    // rustup picks the toolchain of rust-toolchain.toml for commands started in the repository;
    // a RUSTC or toolchain override that bypasses it would build something else than CI tests.
    let pinned = std::fs::read_to_string(root().join("rust-toolchain.toml"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| l.trim().strip_prefix("channel = ").map(|c| c.trim_matches('"').to_owned()))
        })
        .ok_or("no channel in rust-toolchain.toml")?;
    if !rustc.starts_with(&format!("rustc {pinned} ")) {
        return Err(format!("dist: built with `{rustc}`, but rust-toolchain.toml pins {pinned}"));
    }
    setup_wasm_target()?;
    build_plugins()?;
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--locked",
        "--profile",
        &profile,
        "--package",
        "weir-cli",
        "--package",
        "qdrant-local",
        "--bins",
    ]);
    run(cmd)?;
    let bin_dir = target_dir().join(if profile == "dev" || profile == "test" { "debug" } else { &profile });
    let version = workspace_version()?;
    let commit = Command::new("git")
        .current_dir(root())
        .args(["rev-parse", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let package = dist::Package {
        root: &root(),
        bin_dir: &bin_dir,
        version: &version,
        target: &dist::host_target()?,
        out_dir: &root().join("dist"),
        build_info: vec![format!("profile {profile}"), format!("toolchain {rustc}"), format!("commit {commit}")],
        third_party: dist::third_party(cargo(), &root())?,
    };
    let archive = package.build()?;
    let size = std::fs::metadata(&archive).map(|m| m.len()).unwrap_or(0);
    println!("{} ({:.1} MiB)", archive.display(), size as f64 / 1_048_576.0);
    println!("{}", root().join("dist/SHA256SUMS").display());
    Ok(())
}

/// `version` of `[workspace.package]` in the root `Cargo.toml`.
fn workspace_version() -> Result<String, String> {
    let text =
        std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    text.split("[workspace.package]")
        .nth(1)
        .and_then(|t| t.lines().find_map(|l| l.trim().strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_owned())
        .ok_or_else(|| "no version in [workspace.package] of Cargo.toml".to_owned())
}

fn test(args: &[String]) -> Result<(), String> {
    setup()?;
    build_plugins()?;
    // The plugins' pure logic is tested natively.
    let mut cmd = cargo();
    cmd.args(["test", "--manifest-path", "plugins/Cargo.toml", "--workspace"]);
    if has_members("plugins/Cargo.toml") {
        run(cmd)?;
    }
    eprintln!("xtask: building and running the tests (a first build takes 25–30 minutes on 2 cores)");
    let mut cmd = cargo();
    cmd.args(["test", "--workspace"]).args(args).env("WEIR_SKIP_WASM_BUILD", "1");
    if ensure_chromium() {
        // The status page's browser test then must run, not skip.
        cmd.env("WEIR_REQUIRE_BROWSER", "1");
    }
    run(cmd)
}

/// Chromium for the status page's browser test: found on the PATH, or installed from the
/// distribution's packages where that is possible (Debian's `chromium`, as root or with
/// password-less sudo). Without it the browser check is skipped, loudly.
fn ensure_chromium() -> bool {
    let found = || {
        std::env::var_os("WEIR_CHROMIUM").is_some()
            || ["chromium", "chromium-browser"]
                .iter()
                .any(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
    };
    if found() {
        return true;
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let sudo = !root && Command::new("sudo").args(["-n", "true"]).status().is_ok_and(|s| s.success());
    if root || sudo {
        let apt = |args: &[&str]| {
            let mut cmd = Command::new(if root { "apt-get" } else { "sudo" });
            if !root {
                cmd.arg("apt-get");
            }
            cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            run(cmd)
        };
        let installed = apt(&["-qq", "update"])
            .and_then(|()| apt(&["-qq", "install", "-y", "--no-install-recommends", "chromium"]));
        if let Err(e) = installed {
            eprintln!("xtask: cannot install chromium: {e}");
        }
    }
    let ok = found();
    if !ok {
        eprintln!("xtask: WARNING: no Chromium; the status page's browser check will be skipped");
    }
    ok
}

fn has_members(manifest: &str) -> bool {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap_or_default();
    !text.contains("members = []")
}

fn lint() -> Result<(), String> {
    let mut cmd = cargo();
    cmd.args(["fmt", "--all", "--check"]);
    run(cmd)?;
    let mut cmd = cargo();
    cmd.args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
    run(cmd)?;
    for manifest in WASM_WORKSPACES {
        let mut cmd = cargo();
        cmd.args(["fmt", "--all", "--check", "--manifest-path", manifest]);
        run(cmd)?;
        let mut cmd = cargo();
        cmd.args(["clippy", "--release", "--target", WASM_TARGET, "--manifest-path", manifest, "--", "-D", "warnings"]);
        run(cmd)?;
    }
    let mut cmd = cargo();
    cmd.args(["doc", "--workspace", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings");
    run(cmd)
}

fn demo(args: &[String]) -> Result<(), String> {
    setup()?;
    build_plugins()?;
    // Cargo's own progress stays visible: the first build of weir takes 25–30 minutes on two
    // cores, and a silent terminal for that long looks like a hang.
    eprintln!("xtask: building weir (the first build takes 25–30 minutes on 2 cores; later ones seconds)");
    let mut cmd = cargo();
    cmd.args(["run", "--package", "weir-cli", "--bin", "weir", "--", "demo"]).args(args);
    run(cmd)
}

/// The end-to-end sync benchmark (`host/cli/benches/sync.rs`) with ARGS (scenarios and sizes),
/// with `relevance ARGS` the relevance benchmark (`host/cli/benches/relevance.rs`), or with
/// `--all` every benchmark of the workspace. Built in the dev profile, whose
/// dependencies are optimised: the same code the tests run.
fn bench(args: &[String]) -> Result<(), String> {
    setup()?;
    build_plugins()?;
    let mut cmd = cargo();
    cmd.env("WEIR_SKIP_WASM_BUILD", "1");
    match args.split_first() {
        Some((all, rest)) if all == "--all" => cmd.args(["bench", "--workspace", "--profile", "dev", "--"]).args(rest),
        Some((relevance, rest)) if relevance == "relevance" => return run_bench("relevance", rest),
        _ => return run_bench("sync", args),
    };
    run(cmd)
}

/// Builds the bench `name` in the test profile and runs its binary with `args` (the bench has
/// its own `main`). Selecting one target resolves dependency features differently from the
/// whole test suite, so its first build compiles some dependencies a second time.
fn run_bench(name: &str, args: &[String]) -> Result<(), String> {
    let exes = built_targets(&["test", "--workspace", "--bench", name, "--no-run"], "bench", &[name])?;
    let mut cmd = Command::new(&exes[0]);
    cmd.current_dir(root()).args(args).env("WEIR_SKIP_WASM_BUILD", "1").env("CARGO_TARGET_DIR", target_dir());
    run(cmd)
}

/// The reliability suite at full size: `WEIR_RELIABILITY=long` scales the CI-sized tests of
/// `host/cli/tests/reliability.rs` up; the sandbox, source-fault and engine suites run with it.
/// Ends with one line: `reliability: N passed, N failed`.
fn reliability(args: &[String]) -> Result<(), String> {
    use std::io::BufRead;
    setup()?;
    build_plugins()?;
    // Built exactly as `cargo xtask test` builds (selecting test targets would resolve
    // dependency features differently and rebuild them), then the suites run one by one.
    let suites = ["reliability", "sandbox", "bluejet_source", "engine"];
    let exes = built_targets(&["test", "--workspace", "--no-run"], "test", &suites)?;
    let (mut passed, mut failed) = (0u64, 0u64);
    let mut ok = true;
    for exe in exes {
        let mut cmd = Command::new(&exe);
        cmd.current_dir(root()).args(["--test-threads", "1", "--show-output"]).args(args);
        cmd.env("WEIR_SKIP_WASM_BUILD", "1").env("WEIR_RELIABILITY", "long").env("CARGO_TARGET_DIR", target_dir());
        cmd.stdout(std::process::Stdio::piped());
        eprintln!("xtask: running {}", exe.display());
        let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        if let Some(out) = child.stdout.take() {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                if let Some(rest) = line.strip_prefix("test result: ") {
                    passed += count_before(rest, " passed");
                    failed += count_before(rest, " failed");
                }
            }
        }
        ok &= child.wait().map_err(|e| e.to_string())?.success();
    }
    println!("reliability: {passed} passed, {failed} failed");
    if ok && failed == 0 { Ok(()) } else { Err("the reliability suite failed".into()) }
}

/// Runs `cargo ARGS --message-format=json-render-diagnostics` and returns the executables of
/// the targets of `kind` (`test`, `bench`) named in `names`, in that order.
fn built_targets(cargo_args: &[&str], kind: &str, names: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut cmd = cargo();
    cmd.args(cargo_args).arg("--message-format=json-render-diagnostics").stdout(std::process::Stdio::piped());
    eprintln!("xtask: building (cargo {})", cargo_args.join(" "));
    let out = cmd.output().map_err(|e| format!("cannot start cargo: {e}"))?;
    if !out.status.success() {
        return Err("the build failed".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    names
        .iter()
        .map(|name| {
            text.lines()
                .filter(|l| {
                    l.contains(&format!("\"kind\":[\"{kind}\"]")) && l.contains(&format!("\"name\":\"{name}\""))
                })
                .find_map(|l| l.split("\"executable\":\"").nth(1).and_then(|r| r.split('"').next()))
                .map(PathBuf::from)
                .ok_or_else(|| format!("no {kind} target `{name}` was built"))
        })
        .collect()
}

/// `12` from `ok. 12 passed; 0 failed` for `what` = ` passed`.
fn count_before(text: &str, what: &str) -> u64 {
    text.split(';')
        .find_map(|part| {
            part.trim().trim_start_matches("ok. ").trim_start_matches("FAILED. ").strip_suffix(what.trim())
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// The fuzz targets of `fuzz/fuzz_targets/`.
const FUZZ_TARGETS: &[&str] = &["bluejet_row", "bluejet_cursor", "rules_config", "qdrant_request", "grant_matcher"];

/// The toolchain cargo-fuzz builds with: it passes `-Z` flags (sanitizers), which need nightly
/// or, on the pinned stable toolchain, `RUSTC_BOOTSTRAP=1`.
#[derive(Debug, Clone, Copy)]
enum FuzzToolchain {
    Nightly,
    PinnedWithBootstrap,
}

impl FuzzToolchain {
    /// `cargo fuzz ...` on this toolchain, run from `fuzz/`. Plain `cargo` (rustup's proxy),
    /// not `$CARGO`: only the proxy understands `+nightly`.
    fn cargo_fuzz(self) -> Command {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(root().join("fuzz"));
        match self {
            Self::Nightly => cmd.args(["+nightly", "fuzz"]),
            Self::PinnedWithBootstrap => cmd.arg("fuzz").env("RUSTC_BOOTSTRAP", "1"),
        };
        cmd
    }
}

/// Fuzzes each target of `fuzz/` for SECONDS (default 60) with cargo-fuzz (installed when
/// missing), starting from the committed seeds in `fuzz/seeds/<target>` and the inputs that once
/// crashed it in `fuzz/regressions/<target>`. What a run learns
/// stays in `fuzz/corpus/<target>` and failing inputs land in `fuzz/artifacts/<target>` (both
/// ignored by git). Builds with nightly when rustup has it and it works, else with the pinned
/// toolchain and `RUSTC_BOOTSTRAP=1`. Ends with one line per target: runs, speed, coverage and
/// crashes; fails when a target crashed.
fn fuzz(args: &[String]) -> Result<(), String> {
    let seconds: u64 = match args.first() {
        Some(s) => s.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("`{s}` is not a number of seconds"))?,
        None => 60,
    };
    install_cargo_fuzz()?;
    let toolchain = build_fuzz_targets()?;
    let dir = root().join("fuzz");
    let mut summaries = Vec::new();
    let mut crashed = 0;
    for target in FUZZ_TARGETS {
        let corpus = dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let mut cmd = toolchain.cargo_fuzz();
        // New inputs go to the first directory, the corpus; seeds and past crashes are only read.
        cmd.args(["run", target]).arg(&corpus).arg(dir.join("seeds").join(target));
        let regressions = dir.join("regressions").join(target);
        if regressions.is_dir() {
            cmd.arg(regressions);
        }
        cmd.args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1"]);
        let stats = run_fuzz_target(cmd)?;
        crashed += usize::from(stats.crashes > 0);
        summaries.push(format!("fuzz: {target}: {}", stats.summary()));
    }
    for line in &summaries {
        println!("{line}");
    }
    if crashed == 0 {
        Ok(())
    } else {
        Err(format!("{crashed} fuzz target(s) crashed; the failing inputs are in fuzz/artifacts/"))
    }
}

fn install_cargo_fuzz() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let installed = Command::new(&cargo)
        .current_dir(root())
        .args(["fuzz", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        return Ok(());
    }
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root()).args(["install", "cargo-fuzz", "--locked"]);
    run(cmd)
}

/// Builds every fuzz target with the first toolchain that manages it and says how long it took.
fn build_fuzz_targets() -> Result<FuzzToolchain, String> {
    let has_nightly = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.starts_with("nightly")))
        .unwrap_or(false);
    let candidates: &[FuzzToolchain] = if has_nightly {
        &[FuzzToolchain::Nightly, FuzzToolchain::PinnedWithBootstrap]
    } else {
        &[FuzzToolchain::PinnedWithBootstrap]
    };
    let mut failures = Vec::new();
    for toolchain in candidates {
        let started = std::time::Instant::now();
        let mut cmd = toolchain.cargo_fuzz();
        cmd.arg("build");
        match run(cmd) {
            Ok(()) => {
                eprintln!("xtask: fuzz targets built in {} s ({toolchain:?})", started.elapsed().as_secs());
                return Ok(*toolchain);
            }
            Err(e) => failures.push(format!("{toolchain:?}: {e}")),
        }
    }
    Err(format!("no toolchain builds the fuzz targets: {}", failures.join("; ")))
}

/// What libFuzzer reported about one run.
#[derive(Debug, Default)]
struct FuzzStats {
    runs: u64,
    seconds: u64,
    per_second: u64,
    coverage: u64,
    corpus: u64,
    crashes: u64,
}

impl FuzzStats {
    fn summary(&self) -> String {
        let per_second = if self.per_second > 0 { self.per_second } else { self.runs / self.seconds.max(1) };
        format!(
            "{} runs in {} s ({per_second}/s), coverage {}, corpus {}, {} crash(es)",
            self.runs, self.seconds, self.coverage, self.corpus, self.crashes
        )
    }

    /// Reads one line of libFuzzer's output: `#N ... cov: N ... corp: N/...`,
    /// `Done N runs in N second(s)`, `stat::name: N` and `Test unit written to PATH`.
    fn read(&mut self, line: &str) {
        let after = |key: &str| -> Option<u64> {
            let rest = line.split(key).nth(1)?;
            rest.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        };
        if line.starts_with('#') {
            if let Some(n) = after("cov:") {
                self.coverage = n;
            }
            if let Some(n) = after("corp:") {
                self.corpus = n;
            }
        } else if let Some(rest) = line.strip_prefix("Done ") {
            let mut words = rest.split_whitespace();
            self.runs = words.next().and_then(|n| n.parse().ok()).unwrap_or(self.runs);
            self.seconds = words.nth(2).and_then(|n| n.parse().ok()).unwrap_or(self.seconds);
        } else if let Some(n) = after("stat::number_of_executed_units:") {
            self.runs = n;
        } else if let Some(n) = after("stat::average_exec_per_sec:") {
            self.per_second = n;
        } else if line.contains("Test unit written to ") {
            self.crashes += 1;
        }
    }
}

/// Runs one `cargo fuzz run`, passing its output through, and gathers libFuzzer's figures.
/// A crash is in the figures, not an error; a fuzzer that failed without saving an input is.
fn run_fuzz_target(mut cmd: Command) -> Result<FuzzStats, String> {
    use std::io::BufRead;
    let shown = format!("{cmd:?}");
    eprintln!("xtask: running {}", shown.replace('"', ""));
    let mut child =
        cmd.stderr(std::process::Stdio::piped()).spawn().map_err(|e| format!("cannot start {shown}: {e}"))?;
    let mut stats = FuzzStats::default();
    if let Some(err) = child.stderr.take() {
        // libFuzzer may quote raw input bytes: split on newlines, not on UTF-8 lines.
        for line in std::io::BufReader::new(err).split(b'\n').map_while(Result::ok) {
            let line = String::from_utf8_lossy(&line);
            eprintln!("{line}");
            stats.read(&line);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() && stats.crashes == 0 {
        return Err(format!("{shown} failed with {status}"));
    }
    Ok(stats)
}
