"""CoAP (RFC 7252) for LwM2M: the message codec, the sans-IO endpoint (message layer,
block-wise transfer per RFC 7959, observe per RFC 7641). Standard library only."""
