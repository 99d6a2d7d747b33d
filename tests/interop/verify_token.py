"""Verifies a Wisp token the way AWS STS does, with a library nobody here wrote (PyJWT).

discovery -> exact `issuer` match -> JWKS -> key by `kid` -> signature, iss, aud, sub, exp.
Usage: verify_token.py ISSUER TOKEN EXPECTED_SUB [AUDIENCE]
Prints what it checked and exits 0, or prints why it refused and exits 1.
"""
import json
import sys
import urllib.request

import jwt

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def fetch_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def main(issuer, token, expected_sub, audience="sts.amazonaws.com"):
    discovery = fetch_json(issuer + "/.well-known/openid-configuration")
    if discovery["issuer"] != issuer:
        raise SystemExit(f"refused: discovery says issuer {discovery['issuer']!r}, expected {issuer!r}")
    jwks = fetch_json(discovery["jwks_uri"])
    for key in jwks["keys"]:
        leaked = PRIVATE_MEMBERS & key.keys()
        if leaked:
            raise SystemExit(f"refused: JWKS key {key.get('kid')} carries private members {sorted(leaked)}")
    signing_key = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256", "ES256"],
        audience=audience,
        issuer=issuer,
        options={"require": ["iss", "sub", "aud", "exp", "iat", "nbf"]},
    )
    if claims["sub"] != expected_sub:
        raise SystemExit(f"refused: sub is {claims['sub']!r}, expected {expected_sub!r}")
    header = jwt.get_unverified_header(token)
    print(json.dumps({"verified": True, "kid": header["kid"], "alg": header["alg"], "sub": claims["sub"],
                      "claims": claims}))


if __name__ == "__main__":
    try:
        main(*sys.argv[1:])
    except jwt.PyJWTError as error:
        raise SystemExit(f"refused: {type(error).__name__}: {error}")
