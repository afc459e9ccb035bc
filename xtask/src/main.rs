//! `cargo xtask <task>`: the project's tasks, with no dependencies beyond std so that it builds
//! in seconds on a fresh machine.
//!
//! - `setup`          install the wasm32-wasip2 target and the local embedding model files
//! - `build-plugins`  build `plugins/` and `tests/fixtures/` for wasm32-wasip2
//! - `test`           setup, build plugins, run every test of both workspaces
//! - `lint`           rustfmt --check, clippy -D warnings (both workspaces), rustdoc -D warnings
//! - `demo`           setup, build plugins, run `weir demo`
//! - `bench`          run the benchmarks
//! - `reliability`    the long reliability suite, ending with `N passed, N failed`

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
  bench [ARGS]   run the benchmarks (cargo bench ARGS)
  reliability    the long reliability suite (more kills, larger data, longer outages)";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root()).env("CARGO_TARGET_DIR", target_dir());
    cmd
}

fn run(mut cmd: Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: running {}", shown.replace('"', ""));
    let status = cmd.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed with {status}")) }
}

fn setup() -> Result<(), String> {
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
    setup_models()
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
            std::fs::copy(&path, &dest).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
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
    let mut cmd = cargo();
    cmd.args(["test", "--workspace"]).args(args).env("WEIR_SKIP_WASM_BUILD", "1");
    run(cmd)
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
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "--package", "weir-cli", "--bin", "weir", "--", "demo"]).args(args);
    run(cmd)
}

fn bench(args: &[String]) -> Result<(), String> {
    setup()?;
    build_plugins()?;
    let mut cmd = cargo();
    cmd.args(["bench", "--workspace"]).args(args).env("WEIR_SKIP_WASM_BUILD", "1");
    run(cmd)
}

/// The reliability suite at full size: `WEIR_RELIABILITY=long` scales the CI-sized tests of
/// `host/cli/tests/reliability.rs` up; the sandbox, source-fault and engine suites run with it.
/// Ends with one line: `reliability: N passed, N failed`.
fn reliability(args: &[String]) -> Result<(), String> {
    use std::io::BufRead;
    setup()?;
    build_plugins()?;
    let mut cmd = cargo();
    cmd.args(["test", "--workspace"]);
    for t in ["reliability", "sandbox", "bluejet_source", "engine"] {
        cmd.args(["--test", t]);
    }
    cmd.args(["--", "--test-threads", "1"]).args(args);
    cmd.env("WEIR_SKIP_WASM_BUILD", "1").env("WEIR_RELIABILITY", "long").stdout(std::process::Stdio::piped());
    eprintln!("xtask: running the long reliability suite");
    let mut child = cmd.spawn().map_err(|e| format!("cannot start cargo test: {e}"))?;
    let (mut passed, mut failed) = (0u64, 0u64);
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                passed += count_before(rest, " passed");
                failed += count_before(rest, " failed");
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    println!("reliability: {passed} passed, {failed} failed");
    if status.success() && failed == 0 { Ok(()) } else { Err("the reliability suite failed".into()) }
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
