"""DTLS 1.2 with pre-shared keys (RFC 6347, RFC 4279): record layer, client and server
handshakes, cipher suites and the crypto backends, as sans-IO state machines."""
