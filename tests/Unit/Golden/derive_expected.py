#!/usr/bin/env python3
"""Derive golden certstream wire-format values from the shared test data.

Independent of the C# code under test: every field comes from the `openssl` CLI
(`x509 -text/-serial/-dates/-fingerprint`, `asn1parse`) and is cross-checked
against a tiny DER walk built on asn1parse's offsets. Only the Python stdlib is used.

Usage: python3 derive_expected.py <testdata dir> <output dir>
"""

import base64
import calendar
import hashlib
import ipaddress
import json
import os
import re
import struct
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

OPENSSL = os.environ.get("OPENSSL", "openssl")

POISON_OID = "1.3.6.1.4.1.11129.2.4.3"
SCT_OID = "1.3.6.1.4.1.11129.2.4.2"


class GoldenError(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise GoldenError(msg)


def run(args, data):
    p = subprocess.run([OPENSSL] + args, input=data, capture_output=True)
    if p.returncode != 0:
        raise GoldenError("openssl %s failed: %s" % (" ".join(args), p.stderr.decode("utf-8", "replace")))
    return p.stdout


# ---------------------------------------------------------------- DER structure (from asn1parse)

class Node:
    __slots__ = ("off", "hl", "l", "cons", "children", "der")

    def __init__(self, der, off, hl, l, cons):
        self.der, self.off, self.hl, self.l, self.cons = der, off, hl, l, cons
        self.children = []

    @property
    def tag(self):
        return self.der[self.off]

    @property
    def raw(self):
        return self.der[self.off:self.off + self.hl + self.l]

    @property
    def content(self):
        return self.der[self.off + self.hl:self.off + self.hl + self.l]


ASN1_LINE = re.compile(rb"^\s*(\d+):d=\s*(\d+)\s+hl=\s*(\d+)\s+l=\s*(\d+)\s+(cons|prim):")


def asn1_tree(der):
    """Tree of the DER as openssl asn1parse sees it; bytes are sliced by its offsets."""
    out = run(["asn1parse", "-inform", "DER", "-i"], der)
    root = None
    stack = []  # (depth, node)
    for line in out.split(b"\n"):
        if not line.strip():
            continue
        m = ASN1_LINE.match(line)
        if not m:
            # a printable string value may contain a newline; those bytes belong to the previous line
            continue
        off, depth, hl, l = (int(m.group(i)) for i in range(1, 5))
        node = Node(der, off, hl, l, m.group(5) == b"cons")
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            stack[-1][1].children.append(node)
        else:
            check(root is None, "several top-level objects")
            root = node
        stack.append((depth, node))
    check(root is not None and root.off == 0 and root.hl + root.l == len(der), "asn1parse did not cover the DER")
    return root


def oid_str(content):
    vals, v = [], 0
    for b in content:
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            vals.append(v)
            v = 0
    first = vals[0]
    if first < 40:
        head = [0, first]
    elif first < 80:
        head = [1, first - 40]
    else:
        head = [2, first - 80]
    return ".".join(str(x) for x in head + vals[1:])


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


class Tbs:
    """Positions of the TBSCertificate's fields."""

    def __init__(self, tbs_node):
        ch = list(tbs_node.children)
        self.node = tbs_node
        if ch and ch[0].tag == 0xA0:
            ch = ch[1:]
        self.serial, self.sigalg, self.issuer, self.validity, self.subject, self.spki = ch[:6]
        self.extensions = []  # (oid, critical, value_bytes, ext_node)
        self.ext_seq = None
        self.ext_wrapper = None
        for c in ch[6:]:
            if c.tag == 0xA3:
                self.ext_wrapper = c
                self.ext_seq = c.children[0]
                for e in self.ext_seq.children:
                    check(e.children[0].tag == 0x06, "extension without OID")
                    crit = len(e.children) == 3 and e.children[1].content == b"\xff"
                    val = e.children[-1]
                    check(val.tag == 0x04, "extnValue is not an OCTET STRING")
                    self.extensions.append((oid_str(e.children[0].content), crit, val.content, e))


def cert_tbs(der):
    root = asn1_tree(der)
    check(root.tag == 0x30 and len(root.children) == 3, "not a Certificate")
    return Tbs(root.children[0])


def tbs_without_poison(tbs):
    """The TBS DER with the poison extension removed, lengths re-encoded."""
    kept = [e for (oid, _, _, e) in tbs.extensions if oid != POISON_OID]
    check(len(kept) == len(tbs.extensions) - 1, "precertificate without exactly one poison extension")
    ext_seq = der_tlv(0x30, b"".join(e.raw for e in kept))
    wrapper = der_tlv(0xA3, ext_seq)
    parts = []
    for c in tbs.node.children:
        parts.append(wrapper if c is tbs.ext_wrapper else c.raw)
    return der_tlv(0x30, b"".join(parts))


def wrap_tbs(tbs_der):
    """A Certificate around a bare TBS (empty signature) so openssl x509 can print it."""
    t = Tbs(asn1_tree(tbs_der))
    return der_tlv(0x30, tbs_der + t.sigalg.raw + b"\x03\x01\x00")


# ---------------------------------------------------------------- string decoding

def decode_utf8_per_byte(b):
    """UTF-8 decode where each invalid byte becomes U+FFFD (spec: 'each invalid byte')."""
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            chunk = b[i:i + n]
            try:
                s = chunk.decode("utf-8", "strict")
                out.append(s)
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def decode_ascii(b):
    return "".join(chr(x) if x < 0x80 else "\ufffd" for x in b)


def decode_string(node):
    t, b = node.tag, node.content
    if t == 0x0C:  # UTF8String
        return decode_utf8_per_byte(b)
    if t in (0x13, 0x16, 0x1A, 0x12):  # Printable, IA5, Visible, Numeric
        return decode_ascii(b)
    if t == 0x14:
        # TeletexString: bytes read as UTF-8, as certstream-server-go (Go's x509 returns the raw
        # bytes as a Go string; its JSON encoder turns each invalid byte into U+FFFD). openssl
        # would read them as Latin-1 (mojibake for ftp.eurofins.se). See README ambiguities.
        return decode_utf8_per_byte(b)
    if t == 0x1E:  # BMPString
        return b.decode("utf-16-be", "replace")
    if t == 0x1C:  # UniversalString
        return b.decode("utf-32-be", "replace")
    raise GoldenError("unexpected string tag 0x%02x" % t)


# ---------------------------------------------------------------- names

NAME_OIDS = {
    "2.5.4.6": "C", "2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.10": "O", "2.5.4.11": "OU",
    "2.5.4.8": "ST", "1.2.840.113549.1.9.1": "emailAddress",
}


def name_attrs(name_node):
    attrs = []  # (oid, value) in certificate order
    for rdn in name_node.children:
        check(rdn.tag == 0x31, "RDN is not a SET")
        for ava in rdn.children:
            oid = oid_str(ava.children[0].content)
            attrs.append((oid, ava.children[1], len(rdn.children) > 1))
    return attrs


def name_object(name_node):
    vals = {k: [] for k in ("C", "CN", "L", "O", "OU", "ST", "emailAddress")}
    count = 0
    for oid, vnode, _ in name_attrs(name_node):
        count += 1
        key = NAME_OIDS.get(oid)
        if key:
            vals[key].append(decode_string(vnode))
    j = {k: (",".join(v) if v else None) for k, v in vals.items()}
    agg = ""
    for k in ("C", "CN", "L", "O", "OU", "ST"):
        if j[k] is not None:
            agg += "/%s=%s" % (k, j[k])
    if j["emailAddress"] is not None:
        agg += "/emailAddress=" + j["emailAddress"]
    return {
        "C": j["C"], "CN": j["CN"] if j["CN"] is not None else "", "L": j["L"], "O": j["O"],
        "OU": j["OU"], "ST": j["ST"], "aggregated": agg if count else None,
        "email_address": j["emailAddress"],
    }


def check_name_against_openssl(name_node, lines, what):
    """Compare the DER-decoded attributes with openssl's -nameopt sep_multiline,utf8,sname output."""
    attrs = name_attrs(name_node)
    if any(mv for (_, _, mv) in attrs):
        check(len(lines) <= len(attrs), what + ": multi-valued RDN line count")
        return
    check(len(lines) == len(attrs), "%s: openssl shows %d attributes, DER has %d" % (what, len(lines), len(attrs)))
    for (oid, vnode, _), line in zip(attrs, lines):
        key = NAME_OIDS.get(oid)
        if not key:
            continue
        val = decode_string(vnode)
        if "\ufffd" in val or any(ord(c) < 0x20 for c in val):
            continue
        if vnode.tag == 0x14:
            val = vnode.content.decode("latin-1")  # what openssl -nameopt utf8 prints for T61String
        k, _, v = line.strip().partition(" = ")
        check(k == key, "%s: openssl key %r vs %r" % (what, k, key))
        check(v == val, "%s: openssl value %r vs DER %r" % (what, v, val))


# ---------------------------------------------------------------- openssl text

TEXT_OPTS = ["-noout", "-serial", "-dates", "-dateopt", "iso_8601", "-fingerprint", "-sha1", "-text",
             "-certopt", "no_pubkey,no_sigdump,no_header,no_version,no_aux",
             "-nameopt", "sep_multiline,utf8,sname,space_eq,-esc_msb"]


def openssl_text(der):
    out = run(["x509", "-inform", "DER"] + TEXT_OPTS, der).decode("utf-8")
    sha256 = run(["x509", "-inform", "DER", "-noout", "-fingerprint", "-sha256"], der).decode("ascii").strip()
    return out, sha256


def parse_text(out):
    lines = out.split("\n")
    info = {"names": {}, "exts": []}
    i = 0
    sigalg_lines = []
    while i < len(lines):
        line = lines[i]
        if line.startswith("serial="):
            info["serial"] = line[len("serial="):]
        elif line.startswith("notBefore="):
            info["notBefore"] = line[len("notBefore="):]
        elif line.startswith("notAfter="):
            info["notAfter"] = line[len("notAfter="):]
        elif line.startswith("sha1 Fingerprint="):
            info["sha1"] = line.split("=", 1)[1]
        elif line.startswith("        Signature Algorithm:") and "sigalg" not in info:
            info["sigalg"] = line.split(":", 1)[1].strip()
            j = i + 1
            while j < len(lines) and lines[j].startswith("         "):
                sigalg_lines.append(lines[j].strip())
                j += 1
            # rsassaPss parameters are printed on following lines at indent 8
            j = i + 1
            while j < len(lines) and lines[j].startswith("        ") and not lines[j].startswith("        Issuer"):
                if "Hash Algorithm:" in lines[j]:
                    info.setdefault("pss_hash", lines[j].split(":", 1)[1].strip())
                j += 1
        elif line in ("        Issuer:", "        Subject:"):
            key = line.strip()[:-1]
            vals = []
            j = i + 1
            while j < len(lines) and lines[j].startswith("            "):
                if lines[j].strip():  # an empty name prints one blank indented line
                    vals.append(lines[j])
                j += 1
            info["names"][key] = vals
            i = j
            continue
        elif line.startswith("        Issuer:") or line.startswith("        Subject:"):
            key = line.strip().split(":")[0]
            info["names"][key] = []  # empty name printed inline
        elif line == "        X509v3 extensions:":
            j = i + 1
            cur = None
            while j < len(lines) and lines[j].startswith("            "):
                l2 = lines[j]
                if not l2.startswith("                "):
                    hdr = l2.strip()
                    crit = hdr.endswith(" critical")
                    if crit:
                        hdr = hdr[: -len(" critical")]
                    check(hdr.endswith(":"), "extension header %r" % hdr)
                    cur = {"name": hdr[:-1].strip(), "critical": crit, "lines": []}
                    info["exts"].append(cur)
                else:
                    cur["lines"].append(l2[16:])
                j += 1
            i = j
            continue
        i += 1
    return info


# ---------------------------------------------------------------- field formatting

SIGALGS = {
    "md2WithRSAEncryption": "md2, rsa", "md5WithRSAEncryption": "md5, rsa",
    "sha1WithRSAEncryption": "sha1, rsa", "sha256WithRSAEncryption": "sha256, rsa",
    "sha384WithRSAEncryption": "sha384, rsa", "sha512WithRSAEncryption": "sha512, rsa",
    "dsaWithSHA1": "dsa, sha1", "dsa_with_SHA256": "dsa, sha256",
    "ecdsa-with-SHA1": "ecdsa, sha1", "ecdsa-with-SHA256": "ecdsa, sha256",
    "ecdsa-with-SHA384": "ecdsa, sha384", "ecdsa-with-SHA512": "ecdsa, sha512",
    "ED25519": "ed25519",
}
PSS_HASHES = {"sha256": "sha256, rsa-pss", "sha384": "sha384, rsa-pss", "sha512": "sha512, rsa-pss"}

KU_NAMES = {
    "Digital Signature": "Digital Signature", "Non Repudiation": "Content Commitment",
    "Key Encipherment": "Key Encipherment", "Data Encipherment": "Data Encipherment",
    "Key Agreement": "Key Agreement", "Certificate Sign": "Certificate Signing",
    "CRL Sign": "CRL Signing", "Encipher Only": "Encipher Only", "Decipher Only": "Decipher Only",
}
KU_ORDER = list(KU_NAMES.values())

EKU_NAMES = {
    "1.3.6.1.5.5.7.3.1": "TLS Web Server Authentication",
    "1.3.6.1.5.5.7.3.2": "TLS Web Client Authentication",
    "1.3.6.1.5.5.7.3.3": "Code Signing",
    "1.3.6.1.5.5.7.3.4": "E-mail Protection",
    "1.3.6.1.5.5.7.3.8": "Time Stamping",
    "1.3.6.1.5.5.7.3.9": "OCSP Signing",
}

EXT_KEYS = {
    "1.3.6.1.5.5.7.1.1": "authorityInfoAccess", "2.5.29.35": "authorityKeyIdentifier",
    "2.5.29.19": "basicConstraints", "2.5.29.32": "certificatePolicies",
    "2.5.29.31": "crlDistributionPoints", SCT_OID: "ctlSignedCertificateTimestamp",
    "2.5.29.37": "extendedKeyUsage", "2.5.29.15": "keyUsage", "2.5.29.17": "subjectAltName",
    "2.5.29.14": "subjectKeyIdentifier", POISON_OID: "ctlPoisonByte",
}
EXT_ORDER = ["authorityInfoAccess", "authorityKeyIdentifier", "basicConstraints", "certificatePolicies",
             "crlDistributionPoints", "ctlSignedCertificateTimestamp", "extendedKeyUsage", "keyUsage",
             "subjectAltName", "subjectKeyIdentifier", "ctlPoisonByte"]

OPENSSL_EXT_HEADERS = {
    "authorityInfoAccess": "Authority Information Access",
    "authorityKeyIdentifier": "X509v3 Authority Key Identifier",
    "basicConstraints": "X509v3 Basic Constraints",
    "certificatePolicies": "X509v3 Certificate Policies",
    "crlDistributionPoints": "X509v3 CRL Distribution Points",
    "ctlSignedCertificateTimestamp": "CT Precertificate SCTs",
    "extendedKeyUsage": "X509v3 Extended Key Usage",
    "keyUsage": "X509v3 Key Usage",
    "subjectAltName": "X509v3 Subject Alternative Name",
    "subjectKeyIdentifier": "X509v3 Subject Key Identifier",
    "ctlPoisonByte": "CT Precertificate Poison",
}


def colon_hex(b, upper):
    s = ":".join("%02x" % x for x in b)
    return s.upper() if upper else s


def seq_children(value_bytes):
    return asn1_tree(value_bytes)


def render_san(value, text_lines):
    tree = seq_children(value)
    der_names = [(c.tag & 0x1F, c) for c in tree.children]
    text = ", ".join(text_lines)
    items = text.split(", ") if text else []
    check(len(items) == len(der_names), "SAN: openssl shows %d names, DER has %d" % (len(items), len(der_names)))
    dns, email, ip, uri = [], [], [], []
    for (t, node), item in zip(der_names, items):
        if t == 2:
            v = decode_ascii(node.content)
            check(item == "DNS:" + v, "SAN DNS %r vs %r" % (item, v))
            dns.append(v)
        elif t == 1:
            v = decode_ascii(node.content)
            check(item == "email:" + v, "SAN email %r vs %r" % (item, v))
            email.append(v)
        elif t == 7:
            check(item.startswith("IP Address:"), "SAN IP %r" % item)
            txt = item[len("IP Address:"):]
            addr = ipaddress.ip_address(txt)  # openssl prints IPv6 uncompressed, uppercase
            check(addr.packed == node.content, "SAN IP bytes %r" % item)
            ip.append(addr.compressed)  # RFC 5952 (lowercase, longest zero run as ::)
        elif t == 6:
            v = decode_ascii(node.content)
            check(item == "URI:" + v, "SAN URI %r vs %r" % (item, v))
            uri.append(v)
        # otherName, x400, directoryName, ediParty, registeredID: not rendered
    parts = ["DNS:" + d for d in dns] + ["email:" + e for e in email] + \
            ["IP Address:" + a for a in ip] + ["URI:" + u for u in uri]
    return ", ".join(parts), dns


def render_aia(value, text_lines):
    tree = seq_children(value)
    ca, ocsp = [], []
    check(len(text_lines) == len(tree.children), "AIA line count")
    for ad, line in zip(tree.children, text_lines):
        method = oid_str(ad.children[0].content)
        loc = ad.children[1]
        if loc.tag != 0x86:  # not a URI
            continue
        uri = decode_ascii(loc.content)
        if method == "1.3.6.1.5.5.7.48.2":
            check(line == "CA Issuers - URI:" + uri, "AIA %r" % line)
            ca.append(uri)
        elif method == "1.3.6.1.5.5.7.48.1":
            check(line == "OCSP - URI:" + uri, "AIA %r" % line)
            ocsp.append(uri)
    return ", ".join("URI:" + u for u in ca + ocsp)


def render_aki(value, text_lines):
    tree = seq_children(value)
    keyid = b""
    for c in tree.children:
        if c.tag == 0x80:
            keyid = c.content
    if keyid:
        check(text_lines[0] == colon_hex(keyid, True) or text_lines[0] == "keyid:" + colon_hex(keyid, True),
              "AKI text %r" % text_lines[0])
    return "keyid:" + colon_hex(keyid, False)


def render_ski(value, text_lines):
    tree = asn1_tree(value)
    check(tree.tag == 0x04, "SKI is not an OCTET STRING")
    check(text_lines == [colon_hex(tree.content, True)], "SKI text %r" % text_lines)
    return "keyid:" + colon_hex(tree.content, False)


def basic_constraints_ca(value):
    tree = seq_children(value)
    for c in tree.children:
        if c.tag == 0x01:
            return c.content != b"\x00"
    return False


def render_bc(value, text_lines):
    ca = basic_constraints_ca(value)
    check(text_lines[0].split(",")[0] == ("CA:TRUE" if ca else "CA:FALSE"), "BC text %r" % text_lines)
    return "CA:TRUE" if ca else "CA:FALSE"


def render_policies(value, text_lines):
    tree = seq_children(value)
    oids = [oid_str(pi.children[0].content) for pi in tree.children]
    text_pol = [l for l in text_lines if l.startswith("Policy: ")]
    check(len(text_pol) == len(oids), "policies count")
    for oid, l in zip(oids, text_pol):
        check(l == "Policy: " + oid or (oid == "2.5.29.32.0" and l == "Policy: X509v3 Any Policy"),
              "policy text %r vs %s" % (l, oid))
    return "".join("Policy: %s\n" % o for o in oids)


def render_crldp(text_lines):
    """URIs under 'Full Name:' only (not under 'CRL Issuer:'); each as its own block."""
    uris = []
    section = None
    for l in text_lines:
        if not l.startswith(" "):
            section = l.strip()
        elif section == "Full Name:" and l.strip().startswith("URI:"):
            uris.append(l.strip()[4:])
    return "".join("Full Name:\n  URI:%s\n" % u for u in uris)


def render_eku(value, text_lines):
    tree = seq_children(value)
    oids = [oid_str(c.content) for c in tree.children]
    items = ", ".join(text_lines).split(", ")
    check(len(items) == len(oids), "EKU count %r vs %r" % (items, oids))
    out = []
    for oid, item in zip(oids, items):
        if oid in EKU_NAMES:
            check(item == EKU_NAMES[oid], "EKU text %r vs %s" % (item, oid))
            out.append(EKU_NAMES[oid])
        else:
            out.append(oid)
    return ", ".join(out)


def render_ku(text_lines):
    items = ", ".join(text_lines).split(", ") if text_lines and text_lines[0] else []
    names = [KU_NAMES[i] for i in items]
    check(names == sorted(names, key=KU_ORDER.index), "KU order")
    return ", ".join(names)


def unix_seconds(iso):
    # openssl -dateopt iso_8601: "2018-02-26 11:15:03Z"
    return calendar.timegm(time.strptime(iso, "%Y-%m-%d %H:%M:%SZ"))


def serial_text(openssl_serial, tbs):
    s = openssl_serial.upper()
    neg = s.startswith("-")
    digits = s[1:] if neg else s
    if len(digits) % 2:
        digits = "0" + digits
    # cross-check with the DER INTEGER
    v = int.from_bytes(tbs.serial.content, "big", signed=True)
    check(v == (-1 if neg else 1) * int(digits, 16), "serial mismatch")
    return ("-" if neg else "") + digits


# ---------------------------------------------------------------- the cert object

def cert_object(der, fields_der=None, force_poison=False):
    """Wire cert object (without as_der). Hashes from `der`; fields from `fields_der` (a Certificate
    DER wrapping the leaf TBS) when given."""
    fder = fields_der if fields_der is not None else der
    out_h, sha256_line = openssl_text(der)
    hinfo = parse_text(out_h)
    if fields_der is not None:
        out_f, _ = openssl_text(fder)
        info = parse_text(out_f)
    else:
        info = hinfo
    tbs = cert_tbs(fder)

    # hashes: openssl fingerprints, cross-checked with hashlib
    sha1 = hinfo["sha1"]
    check(sha1 == colon_hex(hashlib.sha1(der).digest(), True), "sha1")
    check(sha256_line.startswith("sha256 Fingerprint="), sha256_line)
    sha256 = sha256_line.split("=", 1)[1]
    check(sha256 == colon_hex(hashlib.sha256(der).digest(), True), "sha256")

    # names
    check_name_against_openssl(tbs.subject, info["names"].get("Subject", []), "subject")
    check_name_against_openssl(tbs.issuer, info["names"].get("Issuer", []), "issuer")
    subject = name_object(tbs.subject)
    issuer = name_object(tbs.issuer)

    # extensions, zipped with openssl's text blocks in certificate order
    check(len(info["exts"]) == len(tbs.extensions), "extension count %d vs %d" % (len(info["exts"]), len(tbs.extensions)))
    ext = {}
    dns = []
    is_ca = False
    for (oid, crit, value, _), t in zip(tbs.extensions, info["exts"]):
        key = EXT_KEYS.get(oid)
        check(t["critical"] == crit, "criticality of %s" % oid)
        if key is None:
            continue
        check(t["name"] == OPENSSL_EXT_HEADERS[key], "header %r for %s" % (t["name"], oid))
        if key in ext:
            raise GoldenError("duplicate extension " + oid)
        lines = t["lines"]
        if key == "subjectAltName":
            ext[key], dns = render_san(value, lines)
        elif key == "authorityInfoAccess":
            ext[key] = render_aia(value, lines)
        elif key == "authorityKeyIdentifier":
            ext[key] = render_aki(value, lines)
        elif key == "subjectKeyIdentifier":
            ext[key] = render_ski(value, lines)
        elif key == "basicConstraints":
            ext[key] = render_bc(value, lines)
            is_ca = basic_constraints_ca(value)
        elif key == "certificatePolicies":
            ext[key] = render_policies(value, lines)
        elif key == "crlDistributionPoints":
            ext[key] = render_crldp(lines)
        elif key == "extendedKeyUsage":
            ext[key] = render_eku(value, lines)
        elif key == "keyUsage":
            ext[key] = render_ku(lines)
        elif key == "ctlSignedCertificateTimestamp":
            ext[key] = base64.urlsafe_b64encode(value).decode("ascii")
        elif key == "ctlPoisonByte":
            ext[key] = True
    if force_poison:
        ext["ctlPoisonByte"] = True
    extensions = {k: ext[k] for k in EXT_ORDER if k in ext}

    # all_domains
    domains = []
    for d in dns:
        if d not in domains:
            domains.append(d)
    cn = subject["CN"]
    if cn and not is_ca and cn not in domains:
        domains.append(cn)

    # signature algorithm (the TBS signature field, as openssl prints it first)
    alg = info["sigalg"]
    if alg == "rsassaPss":
        sigalg = PSS_HASHES.get(info.get("pss_hash"), "unknown")
    else:
        sigalg = SIGALGS.get(alg, "unknown")

    return {
        "all_domains": domains,
        "extensions": extensions,
        "fingerprint": sha1,
        "sha1": sha1,
        "sha256": sha256,
        "not_after": unix_seconds(info["notAfter"]),
        "not_before": unix_seconds(info["notBefore"]),
        "serial_number": serial_text(info["serial"].split("=")[-1], tbs),
        "signature_algorithm": sigalg,
        "subject": subject,
        "issuer": issuer,
        "is_ca": is_ca,
    }


_cache = {}


def cached_cert_object(der):
    k = hashlib.sha256(der).digest()
    if k not in _cache:
        _cache[k] = cert_object(der)
    return _cache[k]


def precert_object(tbs_der, pre_der):
    """Leaf for a PrecertLogEntry: fields from the leaf TBS, hashes from the pre_certificate."""
    pre_tbs = cert_tbs(pre_der)
    stripped = tbs_without_poison(pre_tbs)
    check(stripped == tbs_der, "leaf TBS != pre_certificate TBS minus poison")
    return cert_object(pre_der, fields_der=wrap_tbs(tbs_der), force_poison=True)


# ---------------------------------------------------------------- framing

class Reader:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, n):
        check(self.p + n <= len(self.b), "truncated")
        r = self.b[self.p:self.p + n]
        self.p += n
        return r

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u24(self):
        return int.from_bytes(self.take(3), "big")

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def done(self):
        return self.p == len(self.b)


def read_timestamped_entry(r):
    ts = r.u64()
    etype = r.u16()
    e = {"timestamp_ms": ts, "entry_type": etype}
    if etype == 0:
        e["cert"] = r.take(r.u24())
    elif etype == 1:
        e["issuer_key_hash"] = r.take(32)
        e["tbs"] = r.take(r.u24())
    else:
        raise GoldenError("entry_type %d" % etype)
    e["extensions"] = r.take(r.u16())
    return e


def parse_leaf_input(b):
    r = Reader(b)
    check(r.u8() == 0 and r.u8() == 0, "MerkleTreeLeaf version/leaf_type")
    e = read_timestamped_entry(r)
    check(r.done(), "trailing bytes in leaf_input")
    return e


def parse_cert_list(r):
    total = r.u24()
    end = r.p + total
    certs = []
    while r.p < end:
        certs.append(r.take(r.u24()))
    check(r.p == end, "certificate list length")
    return certs


def parse_extra_data(b, etype):
    r = Reader(b)
    if etype == 0:
        chain = parse_cert_list(r)
        pre = None
    else:
        pre = r.take(r.u24())
        chain = parse_cert_list(r)
    check(r.done(), "trailing bytes in extra_data")
    return pre, chain


def spki_sha256(der):
    return hashlib.sha256(cert_tbs(der).spki.raw).digest()


def timestamp(ms):
    return ms / 1000.0


def rfc6962_entry(i, leaf_input, extra_data):
    e = parse_leaf_input(leaf_input)
    check(e["extensions"] == b"", "RFC 6962 entry with CtExtensions")
    pre, chain = parse_extra_data(extra_data, e["entry_type"])
    if e["entry_type"] == 0:
        leaf = cert_object(e["cert"])
        utype = "X509LogEntry"
    else:
        check(e["issuer_key_hash"] == spki_sha256(chain[0]), "issuer_key_hash != SHA-256(chain[0] SPKI)")
        leaf = precert_object(e["tbs"], pre)
        utype = "PrecertLogEntry"
    return {
        "index_in_response": i,
        "update_type": utype,
        "timestamp": timestamp(e["timestamp_ms"]),
        "leaf_cert": leaf,
        "chain": [cached_cert_object(c) for c in chain],
    }


def tile_entries(b):
    r = Reader(b)
    out = []
    while not r.done():
        e = read_timestamped_entry(r)
        if e["entry_type"] == 1:
            e["pre"] = r.take(r.u24())
        n = r.u16()
        check(n % 32 == 0, "fingerprint list length")
        e["chain_fps"] = [r.take(32) for _ in range(n // 32)]
        out.append(e)
    return out


def leaf_index(ext):
    r = Reader(ext)
    idx = None
    while not r.done():
        t = r.u8()
        data = r.take(r.u16())
        if t == 0:
            check(len(data) == 5, "leaf_index length")
            idx = int.from_bytes(data, "big")
    return idx


def tile_record(index, e, issuer_dir):
    if e["entry_type"] == 0:
        leaf = cert_object(e["cert"])
        utype = "X509LogEntry"
    else:
        issuer_der = open(os.path.join(issuer_dir, e["chain_fps"][0].hex()), "rb").read()
        check(hashlib.sha256(issuer_der).digest() == e["chain_fps"][0], "issuer file hash")
        check(e["issuer_key_hash"] == spki_sha256(issuer_der), "issuer_key_hash")
        leaf = precert_object(e["tbs"], e["pre"])
        utype = "PrecertLogEntry"
    check(leaf_index(e["extensions"]) == index, "leaf_index != position %d" % index)
    for fp in e["chain_fps"]:
        check(os.path.exists(os.path.join(issuer_dir, fp.hex())), "issuer %s missing" % fp.hex())
    return {
        "index": index,
        "update_type": utype,
        "timestamp": timestamp(e["timestamp_ms"]),
        "leaf_cert": leaf,
        "chain_sha256": [colon_hex(fp, True) for fp in e["chain_fps"]],
    }


# ---------------------------------------------------------------- files

def first_pem_der(path):
    text = open(path, "rb").read()
    out = run(["x509", "-inform", "PEM", "-outform", "DER"], text)  # first block only
    return out


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, out = sys.argv[1], sys.argv[2]
    counts = {"certs": 0, "entries_files": 0, "entries": 0, "tile_files": 0, "tile_entries": 0}

    # 1. certificate files
    cert_files = []
    for sub in ("certs/easyssl/der", "certs/easyssl/pem", "static-ct/navigli2025h2/issuer"):
        for name in sorted(os.listdir(os.path.join(data, sub))):
            cert_files.append(sub + "/" + name)
    for rel in cert_files:
        path = os.path.join(data, rel)
        der = first_pem_der(path) if rel.endswith(".crt") else open(path, "rb").read()
        write_json(os.path.join(out, "certs", rel.replace("/", "__") + ".json"), cert_object(der))
        counts["certs"] += 1

    # 2. RFC 6962 get-entries files
    rfc = os.path.join(data, "rfc6962")
    for log in sorted(os.listdir(rfc)):
        for name in sorted(os.listdir(os.path.join(rfc, log))):
            if not (name.startswith("get-entries") and name.endswith(".json")):
                continue
            resp = json.load(open(os.path.join(rfc, log, name), encoding="utf-8"))
            entries = [rfc6962_entry(i, base64.b64decode(e["leaf_input"], validate=True),
                                     base64.b64decode(e["extra_data"], validate=True))
                       for i, e in enumerate(resp["entries"])]
            write_json(os.path.join(out, "entries", "%s__%s" % (log, name)), {"entries": entries})
            counts["entries_files"] += 1
            counts["entries"] += len(entries)
    sect = os.path.join(rfc, "sectigo-2022-scrape-ct-log")
    leaf_bin = open(os.path.join(sect, "x509_leaf_input.bin"), "rb").read()
    extra_bin = open(os.path.join(sect, "x509_extra_data.bin"), "rb").read()
    write_json(os.path.join(out, "entries", "sectigo-2022-scrape-ct-log__bin.json"),
               {"entries": [rfc6962_entry(0, leaf_bin, extra_bin)]})
    counts["entries_files"] += 1
    counts["entries"] += 1

    # 3. data tiles
    nav = os.path.join(data, "static-ct/navigli2025h2")
    issuer_dir = os.path.join(nav, "issuer")
    for tile, first in (("000", 0), ("001", 256), ("002", 512), ("003", 768), ("003.p/10", 768)):
        entries = tile_entries(open(os.path.join(nav, "tile/data", tile), "rb").read())
        check(len(entries) == (10 if tile.endswith(".p/10") else 256), "tile %s size" % tile)
        with ThreadPoolExecutor(max_workers=2) as pool:
            recs = list(pool.map(lambda a: tile_record(first + a[0], a[1], issuer_dir), enumerate(entries)))
        path = os.path.join(out, "tiles", "navigli2025h2__%s.jsonl" % tile.replace("/", "__"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for rec in recs:
                f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        counts["tile_files"] += 1
        counts["tile_entries"] += len(recs)

    print(json.dumps(counts))


if __name__ == "__main__":
    main()
