#!/usr/bin/env bash
# Renders each plugin template the way `weir plugin new` does (plain placeholder substitution)
# into a temporary directory, then checks that the result is a working plugin crate: rustfmt
# (with the repository's settings), clippy -D warnings, native unit tests, and a release build
# of the WebAssembly component.
#
#   sdk/template/check.sh                 # every kind
#   sdk/template/check.sh source sink     # some kinds
#
# CARGO_TARGET_DIR is honoured (default: weir-tpl-target in the temporary directory), so the
# repository's own target/ is never touched. Builds run at a lower priority.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
sdk="$repo/sdk/weir-sdk"
wit="0.2.0"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${TMPDIR:-/tmp}/weir-tpl-target}"
# A rendered crate lives outside the repository: give it the repository's toolchain.
if [[ -z "${RUSTUP_TOOLCHAIN:-}" ]]; then
    RUSTUP_TOOLCHAIN="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$repo/rust-toolchain.toml")"
    export RUSTUP_TOOLCHAIN
fi

cargo_bin="$(command -v cargo)"
cargo() { nice -n 10 "$cargo_bin" "$@"; }

# Escapes a value for the replacement side of a sed `s|...|...|` expression.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

# render KIND NAME DEST: what `weir plugin new --kind KIND NAME` writes into DEST. Every file is
# copied; files ending in .tmpl lose the suffix and have their placeholders replaced.
render() {
    local kind="$1" name="$2" dest="$3"
    local crate_name type_name
    crate_name="${name//-/_}"
    type_name="$(printf '%s' "$name" | sed -E 's/(^|-)([a-z0-9])/\U\2/g')"
    local script
    script="s|{{name}}|$(sed_escape "$name")|g; s|{{crate_name}}|$(sed_escape "$crate_name")|g;"
    script+=" s|{{type_name}}|$(sed_escape "$type_name")|g; s|{{sdk_path}}|$(sed_escape "$sdk")|g;"
    script+=" s|{{wit}}|$(sed_escape "$wit")|g"
    (cd "$here/$kind" && find . -type f) | while read -r file; do
        local out="$dest/${file%.tmpl}"
        mkdir -p "$(dirname "$out")"
        if [[ "$file" == *.tmpl ]]; then
            sed -e "$script" "$here/$kind/$file" >"$out"
        else
            cp "$here/$kind/$file" "$out"
        fi
    done
    if grep -rn '{{' "$dest" --include='*.rs' --include='*.toml' --include='*.md'; then
        echo "error: $kind: placeholders left after rendering" >&2
        return 1
    fi
}

check() {
    local kind="$1" name="shop-$1"
    local dir
    dir="$(mktemp -d)/$name"
    render "$kind" "$name" "$dir"
    echo "== $kind: rendered into $dir"
    (
        cd "$dir"
        cargo fmt --check -- --config-path "$repo/rustfmt.toml"
        cargo clippy --quiet --all-targets -- -D warnings
        cargo test --quiet
        cargo build --quiet --release --target wasm32-wasip2
    )
    local wasm="$CARGO_TARGET_DIR/wasm32-wasip2/release/${name//-/_}.wasm"
    if ! grep -q weir-manifest "$wasm"; then
        echo "error: $kind: $wasm carries no embedded manifest" >&2
        return 1
    fi
    echo "== $kind: ok, $(wc -c <"$wasm") bytes: $wasm"
    rm -rf "$(dirname "$dir")"
}

kinds=("$@")
[[ ${#kinds[@]} -gt 0 ]] || kinds=(source validator sink)
for kind in "${kinds[@]}"; do
    [[ -d "$here/$kind" ]] || { echo "error: no template for kind \`$kind\`" >&2; exit 2; }
    check "$kind"
done
