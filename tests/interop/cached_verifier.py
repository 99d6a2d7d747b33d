"""Verifies a stream of Wisp tokens the way a relying party that caches the JWKS does, with PyJWT.

It reads the discovery document once (the `issuer` must match exactly), then keeps the JWKS for
as long as its Cache-Control max-age allows and, unlike PyJWT's default, never fetches it again
for an unknown kid: a key that signs before every cache could have seen it fails here, as it
could at AWS STS. Usage: cached_verifier.py ISSUER
Reads one JSON object a line on stdin, {"token", "sub", "aud"}; writes one JSON object a line:
{"ok": true, "kid", "fetches"} or {"ok": false, "kid", "error", "fetches"}.
"""
import json
import re
import sys
import urllib.request

import jwt


def max_age(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        header = response.headers.get("Cache-Control", "")
    found = re.search(r"max-age=(\d+)", header)
    if not found:
        raise SystemExit(f"the JWKS at {url} sends no max-age: {header!r}")
    return int(found.group(1))


class CachingClient(jwt.PyJWKClient):
    """PyJWKClient's JWKS cache for `lifespan` seconds, with no refetch on a cache miss."""

    fetches = 0

    def fetch_data(self):
        self.fetches += 1
        return super().fetch_data()

    def get_signing_key(self, kid):
        key = self.match_kid(self.get_signing_keys(), kid)
        if key is None:
            raise jwt.PyJWKClientError(f"kid {kid} is not in the JWKS cached {self.jwk_set_cache.lifespan} s ago at most")
        return key


def main(issuer):
    with urllib.request.urlopen(issuer + "/.well-known/openid-configuration", timeout=5) as response:
        discovery = json.load(response)
    if discovery["issuer"] != issuer:
        raise SystemExit(f"discovery says issuer {discovery['issuer']!r}, expected {issuer!r}")
    client = CachingClient(discovery["jwks_uri"], cache_jwk_set=True, lifespan=max_age(discovery["jwks_uri"]))
    for line in sys.stdin:
        request = json.loads(line)
        kid = None
        try:
            kid = jwt.get_unverified_header(request["token"]).get("kid")
            key = client.get_signing_key(kid)
            claims = jwt.decode(
                request["token"],
                key.key,
                algorithms=["RS256", "ES256"],
                audience=request["aud"],
                issuer=issuer,
                options={"require": ["iss", "sub", "aud", "exp", "iat", "nbf"]},
            )
            if claims["sub"] != request["sub"]:
                raise jwt.InvalidTokenError(f"sub is {claims['sub']!r}, expected {request['sub']!r}")
            answer = {"ok": True, "kid": kid}
        except jwt.PyJWTError as error:
            answer = {"ok": False, "kid": kid, "error": f"{type(error).__name__}: {error}"}
        answer["fetches"] = client.fetches
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
