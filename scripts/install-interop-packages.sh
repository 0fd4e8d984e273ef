#!/usr/bin/env bash
# Installs the Debian packages the interoperability tests and benchmarks talk to:
# DCMTK (storescu, storescp, echoscu, dcmdump, compressors), dicom3tools (dciodvfy),
# Orthanc and its DICOMweb plugin, and openssl (test certificates for TLS). Needs root (or sudo). Safe to run again.
set -euo pipefail

packages=(dcmtk dicom3tools orthanc orthanc-dicomweb openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "interop packages present: ${packages[*]}"
  exit 0
fi

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "installing: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
# Orthanc's package would start a system service; the tests start their own Orthanc on free ports.
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
