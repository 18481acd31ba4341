"""The exceptions of the ``lwm2m`` layer."""


class FormatError(ValueError):
    """A payload that is not valid in its LwM2M content format, or records that the
    chosen format cannot carry. The only exception a content-format codec raises for
    bad input; the device-management layer answers it with 4.00 / 4.06 / 4.15."""
