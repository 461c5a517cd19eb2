#!/usr/bin/env bash
# certs.sh [OUTDIR] - development certificates for gokv (default OUTDIR: certs/).
#
# Writes, as PEM files (ECDSA P-256, SHA-256):
#   ca.cert.pem, ca.key.pem             a CA that signs everything below
#   <node>.cert.pem, <node>.key.pem     one per node in GOKV_CERT_NODES (default "gokv1 gokv2 gokv3");
#                                       SANs: the node name, localhost, 127.0.0.1, ::1 (and the name
#                                       with each suffix of GOKV_CERT_NODE_DOMAINS); serverAuth+clientAuth,
#                                       so a node presents it both as internal server and when dialling
#   external.cert.pem, external.key.pem the external gRPC/REST server: localhost, 127.0.0.1, ::1, every
#                                       node name (with its GOKV_CERT_NODE_DOMAINS forms), plus
#                                       GOKV_CERT_EXTERNAL_SANS (e.g. "DNS:gokv IP:10.0.0.5")
#   client.cert.pem, client.key.pem     a client certificate (clientAuth) for gokv-cli and apps
#
# Idempotent: a certificate whose cert and key both exist is kept; only missing ones are issued.
# An existing certificate that the CA in OUTDIR did not sign stops the script (delete it to re-issue).
# Keys are mode 600. Environment: GOKV_CERT_NODES, GOKV_CERT_NODE_DOMAINS, GOKV_CERT_EXTERNAL_SANS,
# GOKV_CERT_DAYS (leaf validity, default 825), GOKV_CERT_CA_DAYS (default 3650).
set -euo pipefail

out=${1:-certs}
nodes=${GOKV_CERT_NODES:-gokv1 gokv2 gokv3}
node_domains=${GOKV_CERT_NODE_DOMAINS:-}
external_sans=${GOKV_CERT_EXTERNAL_SANS:-}
days=${GOKV_CERT_DAYS:-825}
ca_days=${GOKV_CERT_CA_DAYS:-3650}

die() { printf 'certs.sh: %s\n' "$*" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || die "openssl is not installed"

[[ $days =~ ^[1-9][0-9]*$ ]] || die "GOKV_CERT_DAYS must be a whole number of days above 0, got '$days'"
[[ $ca_days =~ ^[1-9][0-9]*$ ]] || die "GOKV_CERT_CA_DAYS must be a whole number of days above 0, got '$ca_days'"
for name in $nodes; do
  [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "bad node name '$name' in GOKV_CERT_NODES (letters, digits, '.', '-')"
  [[ $name == ca || $name == external || $name == client ]] && die "node name '$name' clashes with a fixed file name"
done
for suffix in $node_domains; do
  [[ $suffix =~ ^\.?[A-Za-z0-9.-]+$ ]] || die "bad suffix '$suffix' in GOKV_CERT_NODE_DOMAINS"
done
# An IPv4 address (four numbers 0-255) or an IPv6 one (hex groups and colons, maybe an IPv4 tail):
# openssl refuses anything else only once the CA and node certificates are written.
valid_ip() {
  local ip=$1 octet
  if [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
    for octet in ${ip//./ }; do ((10#$octet <= 255)) || return 1; done
    return 0
  fi
  [[ $ip == *:* && $ip =~ ^[0-9A-Fa-f:]+(:[0-9]{1,3}(\.[0-9]{1,3}){3})?$ ]]
}
for san in $external_sans; do
  [[ $san =~ ^(DNS|IP):[A-Za-z0-9.:*-]+$ ]] || die "bad entry '$san' in GOKV_CERT_EXTERNAL_SANS (want DNS:name or IP:address)"
  [[ $san != IP:* ]] || valid_ip "${san#IP:}" || die "bad entry '$san' in GOKV_CERT_EXTERNAL_SANS: not an IP address"
done

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# new_key FILE: an unencrypted P-256 key in PKCS#8, readable by its owner only.
new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null) \
    || die "cannot create key $1"
  chmod 600 "$1"
}

serial() { printf '0x%s' "$(openssl rand -hex 16)"; }

# issue NAME CN EXTENSIONS: NAME.cert.pem and NAME.key.pem signed by the CA, unless both exist.
issue() {
  local name=$1 cn=$2 ext=$3
  local cert="$out/$name.cert.pem" key="$out/$name.key.pem"
  if [[ -f $cert && -f $key ]]; then
    openssl verify -CAfile "$out/ca.cert.pem" "$cert" >/dev/null 2>&1 \
      || die "$cert was not signed by $out/ca.cert.pem (or has expired); delete it and its key to re-issue"
    chmod 600 "$key"
    echo "kept    $cert"
    return
  fi
  [[ -f $cert || -f $key ]] && die "found only one of $cert and $key; delete it to re-issue both"
  printf '%s\n' "$ext" >"$work/$name.ext"
  new_key "$work/$name.key.pem"
  openssl req -new -key "$work/$name.key.pem" -subj "/O=gokv/CN=$cn" -out "$work/$name.csr" 2>/dev/null \
    || die "cannot create a request for $name"
  openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.cert.pem" -CAkey "$out/ca.key.pem" \
    -set_serial "$(serial)" -days "$days" -sha256 -extfile "$work/$name.ext" -out "$work/$name.cert.pem" 2>/dev/null \
    || die "cannot sign the certificate for $name"
  mv "$work/$name.key.pem" "$key"
  mv "$work/$name.cert.pem" "$cert"
  chmod 644 "$cert"
  echo "created $cert"
}

# --- CA ---
ca_cert="$out/ca.cert.pem" ca_key="$out/ca.key.pem"
if [[ -f $ca_cert && -f $ca_key ]]; then
  chmod 600 "$ca_key"
  echo "kept    $ca_cert"
elif [[ -f $ca_cert || -f $ca_key ]]; then
  die "found only one of $ca_cert and $ca_key; restore the other or delete both (and every certificate it signed)"
else
  cat >"$work/ca.ext" <<'EOF'
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  new_key "$work/ca.key.pem"
  openssl req -new -key "$work/ca.key.pem" -subj "/O=gokv/CN=gokv development CA $(openssl rand -hex 4)" \
    -out "$work/ca.csr" 2>/dev/null || die "cannot create the CA request"
  openssl x509 -req -in "$work/ca.csr" -signkey "$work/ca.key.pem" -set_serial "$(serial)" -days "$ca_days" \
    -sha256 -extfile "$work/ca.ext" -out "$work/ca.cert.pem" 2>/dev/null || die "cannot self-sign the CA"
  mv "$work/ca.key.pem" "$ca_key"
  mv "$work/ca.cert.pem" "$ca_cert"
  chmod 644 "$ca_cert"
  echo "created $ca_cert"
fi

leaf_ext() { # EKU SANS
  printf '%s\n' \
    'basicConstraints = critical, CA:FALSE' \
    'keyUsage = critical, digitalSignature' \
    "extendedKeyUsage = $1" \
    'subjectKeyIdentifier = hash' \
    'authorityKeyIdentifier = keyid' \
    ${2:+"subjectAltName = $2"}
}
join_sans() { local IFS=,; echo "$*"; }

# --- one certificate per node ---
for name in $nodes; do
  sans=("DNS:$name")
  for suffix in $node_domains; do sans+=("DNS:$name.${suffix#.}"); done
  sans+=(DNS:localhost IP:127.0.0.1 IP:::1)
  issue "$name" "$name" "$(leaf_ext 'serverAuth, clientAuth' "$(join_sans "${sans[@]}")")"
done

# --- external server ---
sans=(DNS:localhost IP:127.0.0.1 IP:::1)
for name in $nodes; do
  sans+=("DNS:$name")
  for suffix in $node_domains; do sans+=("DNS:$name.${suffix#.}"); done
done
for san in $external_sans; do sans+=("$san"); done
issue external "gokv external" "$(leaf_ext serverAuth "$(join_sans "${sans[@]}")")"

# --- client (gokv-cli, apps) ---
issue client "gokv-client" "$(leaf_ext clientAuth '')"

echo "certificates in $out (keys are mode 600; never commit them)"
