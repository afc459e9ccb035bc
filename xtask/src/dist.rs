//! The release archive: `weir-<version>-<target>.tar.gz` with the binaries, the configuration
//! template and examples, the systemd unit and cron example, the model setup script, an
//! operator's README, licences and checksums.
//!
//! Only std and the system's `tar`, `gzip` and `sha256sum`, so that the operator's-path test
//! (`host/cli/tests/operator.rs`) packages the binaries it tests with this very code.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What goes into an archive.
#[derive(Debug)]
pub struct Package<'a> {
    /// The repository root (`config/`, `LICENSE`, `xtask/`).
    pub root: &'a Path,
    /// The directory holding the built `weir` and `qdrant-local`.
    pub bin_dir: &'a Path,
    /// weir's version (`0.1.0`).
    pub version: &'a str,
    /// The platform the binaries run on (`x86_64-unknown-linux-gnu`).
    pub target: &'a str,
    /// Where the archive and its `SHA256SUMS` go.
    pub out_dir: &'a Path,
    /// Lines of `BUILD` (profile, toolchain, commit).
    pub build_info: Vec<String>,
    /// The text of `THIRD-PARTY.md`: the licences of the crates compiled in.
    pub third_party: String,
}

/// The binaries of an archive.
pub const BINARIES: &[&str] = &["weir", "qdrant-local"];

/// Files copied from the repository: (source, place in the archive).
const FILES: &[(&str, &str)] = &[
    ("LICENSE", "LICENSE"),
    ("xtask/dist/README.md", "README.md"),
    ("config/weir.toml", "config/weir.toml"),
    ("config/weir.schema.json", "config/weir.schema.json"),
    ("config/weir.service", "config/weir.service"),
    ("config/weir.cron", "config/weir.cron"),
    ("xtask/models/setup.py", "tools/setup-models.py"),
    ("xtask/models/convert_e5.py", "tools/convert_e5.py"),
];

impl Package<'_> {
    /// `weir-<version>-<target>`: the archive's name and its top directory.
    pub fn name(&self) -> String {
        format!("weir-{}-{}", self.version, self.target)
    }

    /// Builds the archive in `out_dir` and returns its path. The tree it packs stays beside it
    /// (`out_dir/<name>/`); `out_dir/SHA256SUMS` holds the archive's checksum, and the archive's
    /// own `SHA256SUMS` those of every file in it.
    pub fn build(&self) -> Result<PathBuf, String> {
        let name = self.name();
        let tree = self.out_dir.join(&name);
        if tree.exists() {
            std::fs::remove_dir_all(&tree).map_err(|e| format!("cannot remove {}: {e}", tree.display()))?;
        }
        mkdir(&tree)?;
        for bin in BINARIES {
            let from = self.bin_dir.join(bin);
            if !from.is_file() {
                return Err(format!("{} is missing; build it first", from.display()));
            }
            copy(&from, &tree.join(bin))?;
            strip_debug(&tree.join(bin));
        }
        for (from, to) in FILES {
            copy(&self.root.join(from), &tree.join(to))?;
        }
        let examples = self.root.join("config/examples");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&examples)
            .map_err(|e| format!("cannot read {}: {e}", examples.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        names.sort();
        for from in names {
            let Some(file) = from.file_name() else { continue };
            copy(&from, &tree.join("config/examples").join(file))?;
        }
        write(&tree.join("THIRD-PARTY.md"), &self.third_party)?;
        let mut info = vec![format!("weir {}", self.version), format!("target {}", self.target)];
        info.extend(self.build_info.iter().cloned());
        write(&tree.join("BUILD"), &(info.join("\n") + "\n"))?;

        let mut files = Vec::new();
        list_files(&tree, &tree, &mut files)?;
        files.sort();
        write(&tree.join("SHA256SUMS"), &sha256sums(&tree, &files)?)?;

        let archive = self.out_dir.join(format!("{name}.tar.gz"));
        tar_gz(self.out_dir, &name, &archive, &source_date_epoch(self.root))?;
        let sums = sha256sums(self.out_dir, &[format!("{name}.tar.gz")])?;
        write(&self.out_dir.join("SHA256SUMS"), &sums)?;
        Ok(archive)
    }
}

fn mkdir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Copies a file (keeping its permissions, so binaries stay executable).
fn copy(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(dir) = to.parent() {
        mkdir(dir)?;
    }
    std::fs::copy(from, to).map(drop).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// Drops the binary's debug sections (the release profile keeps line tables for local
/// profiling; they make `weir` about 600 MiB), keeping the symbols that name functions in a
/// backtrace. Without a `strip` tool the binary ships as built, which is said.
fn strip_debug(bin: &Path) {
    match std::process::Command::new("strip").arg("--strip-debug").arg(bin).status() {
        Ok(s) if s.success() => {}
        Ok(s) => eprintln!("dist: `strip --strip-debug {}` failed ({s}); shipping it unstripped", bin.display()),
        Err(e) => eprintln!("dist: no `strip` ({e}); {} ships with its debug sections", bin.display()),
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Paths of the files under `dir`, relative to `base`, with `/` separators.
fn list_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            list_files(base, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// `sha256sum`'s output for `files` (relative to `dir`): what `sha256sum -c SHA256SUMS` checks.
fn sha256sums(dir: &Path, files: &[String]) -> Result<String, String> {
    let out = Command::new("sha256sum")
        .current_dir(dir)
        .arg("--")
        .args(files)
        .output()
        .map_err(|e| format!("cannot run sha256sum: {e}"))?;
    if !out.status.success() {
        return Err(format!("sha256sum failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// The time every file of the archive carries: `SOURCE_DATE_EPOCH`, else the last commit's
/// time, else 0, so that two builds of one commit pack the same bytes.
fn source_date_epoch(root: &Path) -> String {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH")
        && v.parse::<u64>().is_ok()
    {
        return v;
    }
    Command::new("git")
        .current_dir(root)
        .args(["log", "-1", "--format=%ct"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|v| v.parse::<u64>().is_ok())
        .unwrap_or_else(|| "0".to_owned())
}

/// Packs `dir/name` into `archive`: names sorted, owner root, every file dated `epoch`, gzip
/// without a name or time in its header.
fn tar_gz(dir: &Path, name: &str, archive: &Path, epoch: &str) -> Result<(), String> {
    let mtime = format!("--mtime=@{epoch}");
    let mut tar = Command::new("tar")
        .current_dir(dir)
        .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--format=gnu", &mtime, "-cf", "-", name])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let tar_out = tar.stdout.take().ok_or("tar has no output")?;
    let file = std::fs::File::create(archive).map_err(|e| format!("cannot create {}: {e}", archive.display()))?;
    let gzip = Command::new("gzip")
        .arg("-n")
        .stdin(tar_out)
        .stdout(file)
        .status()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    let tar = tar.wait().map_err(|e| e.to_string())?;
    if tar.success() && gzip.success() {
        Ok(())
    } else {
        let _ = std::fs::remove_file(archive);
        Err(format!("packing {} failed (tar: {tar}, gzip: {gzip})", archive.display()))
    }
}

/// The host's target triple, from `rustc -vV`.
pub fn host_target() -> Result<String, String> {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV names no host".to_owned())
}

/// `THIRD-PARTY.md`: every crate compiled into the binaries with its licence, from `cargo tree`.
pub fn third_party(mut cargo: Command, root: &Path) -> Result<String, String> {
    cargo.current_dir(root).args(["tree", "--locked", "--offline", "-e", "normal", "--prefix", "none"]);
    cargo.args(["--format", "{p}\t{l}"]);
    for bin in BINARIES {
        cargo.args(["--package", if *bin == "weir" { "weir-cli" } else { bin }]);
    }
    let out = cargo.output().map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo tree failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let mut rows: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.contains("(*)") && !l.contains("(path+") && !l.contains(" (/"))
        .filter_map(|l| {
            let (package, licence) = l.split_once('\t')?;
            let package = package.trim_end_matches(" (proc-macro)");
            let licence = if licence.trim().is_empty() { "see the crate" } else { licence.trim() };
            Some(format!("| {package} | {licence} |"))
        })
        .collect();
    rows.sort();
    rows.dedup();
    Ok(format!(
        "# Third-party crates\n\nweir and qdrant-local are Apache-2.0 (`LICENSE`). They are built from these crates, \
         each under the licence it states (texts in each crate's source):\n\n| crate | licence |\n|---|---|\n{}\n",
        rows.join("\n")
    ))
}
