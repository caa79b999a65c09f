#!/usr/bin/env bash
# A real SAML 2.0 IdP: SimpleSAMLphp 1.19 (Debian), served by `php -S` on a loopback port.
#   simplesamlphp.sh install       apt-get install simplesamlphp php-xml php-mbstring
#   simplesamlphp.sh start DIR     configure in DIR and start; prints IDP_METADATA_URL=... when it answers
#   simplesamlphp.sh stop DIR      stop the php server started in DIR (only that PID)
# start reads: IDP_PORT (required), SP_ENTITY_ID, SP_ACS_URL, SP_SLO_URL (required), SP_CERT_FILE
# (the SP's certificate, for encrypted assertions), IDP_SIGN_RESPONSE / IDP_SIGN_ASSERTION /
# IDP_ENCRYPT_ASSERTION (true|false; default true, true, false), IDP_HOST (the address to listen
# on; default 127.0.0.1), IDP_SCOPES (comma-separated shibmd:Scope values its metadata declares;
# default infn.it).
# Users live in DIR/users.json: {"alice": {"password": "...", "attributes": {"eduPersonPrincipalName":
# ["alice@infn.it"], ...}}}. It is read at every login, so a test changes what the IdP asserts by
# rewriting it. Attributes leave the IdP with urn:oid: names, as from a Shibboleth IdP.
# What was learned running it here: docs/PEERS.md, "SAML IdP".
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
WWW=/usr/share/simplesamlphp/www

cmd="${1:-}"
case "$cmd" in
install)
  if [ -d "$WWW" ] && php -m | grep -qi '^dom$' && php -m | grep -qi '^mbstring$'; then exit 0; fi
  apt-get update -qq
  # The package forgets php-xml (DOMDocument) and php-mbstring.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 simplesamlphp php-xml php-mbstring
  ;;
start)
  dir="${2:?usage: simplesamlphp.sh start DIR}"
  : "${IDP_PORT:?IDP_PORT must name a free port}" "${SP_ENTITY_ID:?}" "${SP_ACS_URL:?}" "${SP_SLO_URL:?}"
  host="${IDP_HOST:-127.0.0.1}"
  base="http://$host:$IDP_PORT/"
  mkdir -p "$dir/metadata" "$dir/cert" "$dir/tmp" "$dir/data" "$dir/log"
  [ -f "$dir/users.json" ] || echo '{}' > "$dir/users.json"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=idp.test" \
    -keyout "$dir/cert/idp.key" -out "$dir/cert/idp.crt" >/dev/null 2>&1
  sp_cert=""
  if [ -n "${SP_CERT_FILE:-}" ]; then sp_cert="$(grep -v -- '-----' "$SP_CERT_FILE" | tr -d '\n')"; fi
  salt="$(openssl rand -hex 16)"
  scopes="$(echo "${IDP_SCOPES:-infn.it}" | sed -E "s/[^,]+/'&'/g")"
  sp_host="$(echo "$SP_ACS_URL" | sed -E 's#^https?://([^/]+).*#\1#')"
  cat > "$dir/config.php" <<PHP
<?php
\$config = [
    'baseurlpath' => '$base',
    'certdir' => '$dir/cert/',
    'loggingdir' => '$dir/log/',
    'datadir' => '$dir/data/',
    'tempdir' => '$dir/tmp',
    'metadatadir' => '$dir/metadata/',
    'attributenamemapdir' => '/etc/simplesamlphp/attributemap/',
    'secretsalt' => '$salt',
    'auth.adminpassword' => '$salt',
    'technicalcontact_name' => 'Tests',
    'technicalcontact_email' => 'tests@example.org',
    'timezone' => 'UTC',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.cookie.secure' => false,
    'session.phpsession.cookiename' => 'IDPSESSION',
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'logging.level' => SimpleSAML\Logger::INFO,
    'showerrors' => true,
    'errorreporting' => false,
    'assertion.allowed_clock_skew' => 180,
    // ReturnTo of IdP-initiated logout may lead to the IdP itself or the SP.
    'trusted.url.domains' => ['$host:$IDP_PORT', '$sp_host'],
];
PHP
  cat > "$dir/authsources.php" <<PHP
<?php
// Users and their attributes come from users.json, read at every request.
\$source = ['exampleauth:UserPass'];
foreach (json_decode(file_get_contents('$dir/users.json'), true) as \$name => \$user) {
    \$source[\$name . ':' . \$user['password']] = \$user['attributes'];
}
\$config = ['users' => \$source];
PHP
  cat > "$dir/metadata/saml20-idp-hosted.php" <<PHP
<?php
\$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'users',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'authproc' => [100 => ['class' => 'core:AttributeMap', 'name2oid']],
    'SingleLogoutServiceBinding' => ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'],
    // Published as shibmd:Scope: the SP accepts scoped attributes only in these.
    'scope' => [$scopes],
];
PHP
  cat > "$dir/metadata/saml20-sp-remote.php" <<PHP
<?php
\$metadata['$SP_ENTITY_ID'] = [
    'AssertionConsumerService' => '$SP_ACS_URL',
    'SingleLogoutService' => '$SP_SLO_URL',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    'saml20.sign.response' => ${IDP_SIGN_RESPONSE:-true},
    'saml20.sign.assertion' => ${IDP_SIGN_ASSERTION:-true},
    'assertion.encryption' => ${IDP_ENCRYPT_ASSERTION:-false},
    'sharedkey_algorithm' => 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
    'certData' => '$sp_cert',
    'validate.logout' => false,
    // Logout messages on the Redirect binding are signed, so the SP can verify them.
    'redirect.sign' => true,
];
PHP
  SIMPLESAMLPHP_CONFIG_DIR="$dir" start_detached "$dir/php.pid" "$dir/php.log" php -S "$host:$IDP_PORT" -t "$WWW"
  wait_for_url SimpleSAMLphp "$dir/php.pid" "${base}saml2/idp/metadata.php" 60 "$dir/php.log"
  echo "IDP_METADATA_URL=${base}saml2/idp/metadata.php"
  ;;
stop)
  dir="${2:?usage: simplesamlphp.sh stop DIR}"
  stop_group "$dir/php.pid"
  ;;
*)
  echo "usage: simplesamlphp.sh install | start DIR | stop DIR" >&2
  exit 2
  ;;
esac
