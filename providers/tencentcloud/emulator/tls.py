"""The served cloud's HTTPS certificate: self-signed, for 127.0.0.1, localhost and the
listen host, made with ``cryptography`` and kept (0600) under the data directory, so that
``REQUESTS_CA_BUNDLE=<cert>`` makes the SDK and tccli trust it."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from engine.private_files import private_dirs, write_private

CERT_FILE = "server.crt"
KEY_FILE = "server.key"
VALID_DAYS = 365
RENEW_BEFORE = datetime.timedelta(days=7)


def _names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                     x509.DNSName("localhost")]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        extra: x509.GeneralName = x509.DNSName(host)
    else:
        extra = x509.IPAddress(ip)
    if host and extra not in names:
        names.append(extra)
    return names


def _usable(cert_path: Path, key_path: Path, host: str) -> bool:
    """Whether the saved certificate covers ``host`` and stays valid a while longer."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key_path.stat()
    except (OSError, ValueError):
        return False
    now = datetime.datetime.now(datetime.timezone.utc)
    if cert.not_valid_after_utc - RENEW_BEFORE < now:
        return False
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return all(name in sans for name in _names(host))


def ensure_certificate(tls_dir: str | os.PathLike, host: str) -> tuple[Path, Path]:
    """(certificate, key) paths under ``tls_dir``: the saved pair when it still fits, else a
    new self-signed pair."""
    tls_dir = Path(private_dirs(tls_dir))
    cert_path, key_path = tls_dir / CERT_FILE, tls_dir / KEY_FILE
    if _usable(cert_path, key_path, host):
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vpnform emulated cloud"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vpnform")])
    now = datetime.datetime.now(datetime.timezone.utc)
    public = key.public_key()
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(_names(host)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False,
                                         content_commitment=False, data_encipherment=False,
                                         key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public),
                           critical=False)
            .sign(key, hashes.SHA256()))
    write_private(key_path, key.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert_path), str(key_path))
    return context
