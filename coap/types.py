"""CoAP message types (RFC 7252 §3, §4): the 2-bit T field of the header."""

CON = 0  # Confirmable: retransmitted until acknowledged (RFC 7252 §4.2)
NON = 1  # Non-confirmable (RFC 7252 §4.3)
ACK = 2  # Acknowledgement of a CON, may piggyback a response
RST = 3  # Reset: "I cannot process that message"

NAMES = {CON: "CON", NON: "NON", ACK: "ACK", RST: "RST"}
BY_NAME = {"CON": CON, "NON": NON, "ACK": ACK, "RST": RST}
