#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when missing. Each one is checked by the very
# file or command the tests use, so a half-installed machine (e.g. pdftotext without poppler-data's CJK
# CMaps, which `--no-install-recommends` leaves out) is completed instead of passing the check.
set -euo pipefail
need=()
have_file() { compgen -G "$1" >/dev/null 2>&1; }
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# pdftotext reads Chinese from the reportlab CID font (STSong-Light) only with the Adobe-GB1 CMaps.
have_file "/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H" || need+=(poppler-data)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
have_file "/usr/lib/postgresql/*/bin/initdb" || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "Installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
# Two `make test` at once on a fresh machine: the second waits for the first one's dpkg lock.
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Fail here, not in a test, when a package did not bring what the tests use.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(pdftotext)
have_file "/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H" || missing+=(poppler-data CMaps)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(wqy-microhei)
if [ ${#missing[@]} -ne 0 ]; then echo "still missing after install: ${missing[*]}" >&2; exit 1; fi
