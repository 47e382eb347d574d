#!/usr/bin/env bash
# Regenerate completions/ and man/ from the clap definitions (tests/docs_fresh.rs fails when the
# checked-in copies are stale).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf completions man
cargo run --quiet --example gen_docs -- .
echo "gen-docs: wrote $(ls completions | wc -l) completion files and $(ls man | wc -l) man pages"
