"""The standard objects' definitions, as this project's own tables.

Facts from the OMA LwM2M registry (objects 0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 19, 10250);
``tests/objects/test_oma_crosscheck.py`` checks every id, type, operation, multiplicity and
mandatory flag against the registry's DDF XML of the same version. Security and Server
are LwM2M 1.1 (object version 1.1) by default; their LwM2M 1.0 versions serve 1.0
servers. The other objects are the registry's newest versions, all usable by a 1.1 client.

Ranges are written in one notation (``a..b`` bounds, ``a,b,c`` enumerations; for String
and Opaque they are byte lengths). Where the registry gives a size ("1 bytes" for an
Integer, "32 bytes" for a String) the table states the checkable range it means.
Row: ``(id, name, operations, type, flags[, range[, units]])``. Tables stay rows until
``definition(oid, version)`` builds them.
"""

from objects.definitions import MANDATORY as M
from objects.definitions import MULTIPLE, define
from objects.definitions import OP_E as E
from objects.definitions import OP_NONE as NO
from objects.definitions import OP_R as R
from objects.definitions import OP_RW as RW
from objects.definitions import OP_W as W
from objects.definitions import OPTIONAL as O
from objects.types import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    NONE,
    OBJLNK,
    OPAQUE,
    STRING,
    TIME,
    UNSIGNED,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from objects.definitions import ObjectDefinition

MM = M | MULTIPLE  # mandatory, multiple instances
OM = MULTIPLE  # optional, multiple instances

# Object ids.
SECURITY = 0
SERVER = 1
ACCESS_CONTROL = 2
DEVICE = 3
CONNECTIVITY_MONITORING = 4
FIRMWARE_UPDATE = 5
LOCATION = 6
CONNECTIVITY_STATISTICS = 7
SOFTWARE_MANAGEMENT = 9
DEVCAPMGMT = 15
BINARY_APP_DATA_CONTAINER = 19
APP_DATA_CONTAINER = 10250

# (object id, version) -> (name, LwM2M version, flags, rows); built by ``definition``.
_TABLES: "dict[tuple[int, str], tuple[str, str, int, Any]]" = {}


def _table(oid: int, name: str, version: str, lwm2m_version: str, flags: int, rows: "Any") -> None:
    _TABLES[(oid, version)] = (name, lwm2m_version, flags, rows)


_SECURITY_1_0_ROWS = (
    (0, "LwM2M Server URI", NO, STRING, M, "0..255"),
    (1, "Bootstrap-Server", NO, BOOLEAN, M),
    (2, "Security Mode", NO, INTEGER, M, "0..4"),
    (3, "Public Key or Identity", NO, OPAQUE, M),
    (4, "Server Public Key", NO, OPAQUE, M),
    (5, "Secret Key", NO, OPAQUE, M),
    (6, "SMS Security Mode", NO, INTEGER, O, "0..255"),
    (7, "SMS Binding Key Parameters", NO, OPAQUE, O, "6"),
    (8, "SMS Binding Secret Key(s)", NO, OPAQUE, O, "16,32,48"),
    (9, "LwM2M Server SMS Number", NO, STRING, O),
    (10, "Short Server ID", NO, INTEGER, O, "1..65534"),
    (11, "Client Hold Off Time", NO, INTEGER, O, "", "s"),
    (12, "Bootstrap-Server Account Timeout", NO, INTEGER, O, "", "s"),
)

_table(0, "LwM2M Security", "1.0", "1.0", MM, _SECURITY_1_0_ROWS)

# The registry's 1.1 file gives units "s" to Matching Type and Certificate Usage; they
# are enumerations (Core §E.1), so the table leaves the units out.
# (Tuples are joined with ``+``: MicroPython has no ``*rows`` in a tuple display.)
_table(0, "LwM2M Security", "1.1", "1.1", MM, _SECURITY_1_0_ROWS + (
    (13, "Matching Type", NO, UNSIGNED, O, "0..3"),
    (14, "SNI", NO, STRING, O),
    (15, "Certificate Usage", NO, UNSIGNED, O, "0..3"),
    (16, "DTLS/TLS Ciphersuite", NO, UNSIGNED, OM),
    (17, "OSCORE Security Mode", NO, OBJLNK, O),
))

_SERVER_1_0_ROWS = (
    (1, "Lifetime", RW, INTEGER, M, "", "s"),
    (2, "Default Minimum Period", RW, INTEGER, O, "", "s"),
    (3, "Default Maximum Period", RW, INTEGER, O, "", "s"),
    (4, "Disable", E, NONE, O),
    (5, "Disable Timeout", RW, INTEGER, O, "", "s"),
    (6, "Notification Storing When Disabled or Offline", RW, BOOLEAN, M),
    (7, "Binding", RW, STRING, M),
    (8, "Registration Update Trigger", E, NONE, M),
)

# LwM2M 1.0 (Core 1.0 §E.2) allows Short Server ID 65535; 1.1 reserves it.
_table(1, "LwM2M Server", "1.0", "1.0", MM, (
    (0, "Short Server ID", R, INTEGER, M, "1..65535"),
) + _SERVER_1_0_ROWS)

_table(1, "LwM2M Server", "1.1", "1.1", MM, (
    (0, "Short Server ID", R, INTEGER, M, "1..65534"),
) + _SERVER_1_0_ROWS + (
    (9, "Bootstrap-Request Trigger", E, NONE, O),
    (10, "APN Link", RW, OBJLNK, O),
    (11, "TLS-DTLS Alert Code", R, UNSIGNED, O, "0..255"),
    (12, "Last Bootstrapped", R, TIME, O),
    (13, "Registration Priority Order", NO, UNSIGNED, O),
    (14, "Initial Registration Delay Timer", NO, UNSIGNED, O, "", "s"),
    (15, "Registration Failure Block", NO, BOOLEAN, O),
    (16, "Bootstrap on Registration Failure", NO, BOOLEAN, O),
    (17, "Communication Retry Count", NO, UNSIGNED, O),
    (18, "Communication Retry Timer", NO, UNSIGNED, O, "", "s"),
    (19, "Communication Sequence Delay Timer", NO, UNSIGNED, O),
    (20, "Communication Sequence Retry Count", NO, UNSIGNED, O),
    (21, "Trigger", RW, BOOLEAN, O),
    (22, "Preferred Transport", RW, STRING, O),
    (23, "Mute Send", RW, BOOLEAN, O),
))

_table(2, "LwM2M Access Control", "1.1", "1.0", MULTIPLE, (
    (0, "Object ID", R, INTEGER, M, "1..65534"),
    (1, "Object Instance ID", R, INTEGER, M, "0..65535"),
    (2, "ACL", RW, INTEGER, OM, "0..31"),
    (3, "Access Control Owner", RW, INTEGER, M, "0..65535"),
))

_table(3, "Device", "1.2", "1.1", M, (
    (0, "Manufacturer", R, STRING, O),
    (1, "Model Number", R, STRING, O),
    (2, "Serial Number", R, STRING, O),
    (3, "Firmware Version", R, STRING, O),
    (4, "Reboot", E, NONE, M),
    (5, "Factory Reset", E, NONE, O),
    (6, "Available Power Sources", R, INTEGER, OM, "0..7"),
    (7, "Power Source Voltage", R, INTEGER, OM),
    (8, "Power Source Current", R, INTEGER, OM),
    (9, "Battery Level", R, INTEGER, O, "0..100", "/100"),
    (10, "Memory Free", R, INTEGER, O),
    (11, "Error Code", R, INTEGER, MM, "0..32"),
    (12, "Reset Error Code", E, NONE, O),
    (13, "Current Time", RW, TIME, O),
    (14, "UTC Offset", RW, STRING, O),
    (15, "Timezone", RW, STRING, O),
    (16, "Supported Binding and Modes", R, STRING, M),
    (17, "Device Type", R, STRING, O),
    (18, "Hardware Version", R, STRING, O),
    (19, "Software Version", R, STRING, O),
    (20, "Battery Status", R, INTEGER, O, "0..6"),
    (21, "Memory Total", R, INTEGER, O),
    (22, "ExtDevInfo", R, OBJLNK, OM),
))

_table(4, "Connectivity Monitoring", "1.3", "1.1", O, (
    (0, "Network Bearer", R, INTEGER, M, "0..50"),
    (1, "Available Network Bearer", R, INTEGER, MM, "0..50"),
    (2, "Radio Signal Strength", R, INTEGER, M, "", "dBm"),
    (3, "Link Quality", R, INTEGER, O),
    (4, "IP Addresses", R, STRING, MM),
    (5, "Router IP Addresses", R, STRING, OM),
    (6, "Link Utilization", R, INTEGER, O, "0..100", "/100"),
    (7, "APN", R, STRING, OM),
    (8, "Cell ID", R, INTEGER, O),
    (9, "SMNC", R, INTEGER, O, "0..999"),
    (10, "SMCC", R, INTEGER, O, "0..999"),
    (11, "SignalSNR", R, INTEGER, O, "", "dB"),
    (12, "LAC", R, INTEGER, O),
    (13, "Coverage Enhancement Level", R, INTEGER, O, "0..4"),
))

_table(5, "Firmware Update", "1.2", "1.1", O, (
    (0, "Package", W, OPAQUE, M),
    (1, "Package URI", RW, STRING, M, "0..255"),
    (2, "Update", E, NONE, M),
    (3, "State", R, INTEGER, M, "0..3"),
    (5, "Update Result", R, INTEGER, M, "0..11"),
    (6, "PkgName", R, STRING, O, "0..255"),
    (7, "PkgVersion", R, STRING, O, "0..255"),
    (8, "Firmware Update Protocol Support", R, INTEGER, OM, "0..5"),
    (9, "Firmware Update Delivery Method", R, INTEGER, M, "0..2"),
    (10, "Cancel", E, NONE, O),
    (11, "Severity", RW, INTEGER, O, "0..2"),
    (12, "Last State Change Time", R, TIME, O),
    (13, "Maximum Defer Period", RW, UNSIGNED, O, "", "s"),
    (14, "Automatic Upgrade at Download", RW, BOOLEAN, O),
))

_table(6, "Location", "1.0", "1.0", O, (
    (0, "Latitude", R, FLOAT, M, "", "lat"),
    (1, "Longitude", R, FLOAT, M, "", "lon"),
    (2, "Altitude", R, FLOAT, O, "", "m"),
    (3, "Radius", R, FLOAT, O, "", "m"),
    (4, "Velocity", R, OPAQUE, O),
    (5, "Timestamp", R, TIME, M),
    (6, "Speed", R, FLOAT, O, "", "m/s"),
))

_table(7, "Connectivity Statistics", "1.0", "1.0", O, (
    (0, "SMS Tx Counter", R, INTEGER, O),
    (1, "SMS Rx Counter", R, INTEGER, O),
    (2, "Tx Data", R, INTEGER, O),
    (3, "Rx Data", R, INTEGER, O),
    (4, "Max Message Size", R, INTEGER, O, "", "B"),
    (5, "Average Message Size", R, INTEGER, O, "", "B"),
    (6, "Start", E, NONE, M),
    (7, "Stop", E, NONE, M),
    (8, "Collection Period", RW, INTEGER, O, "", "s"),
))

_table(9, "LwM2M Software Management", "1.0", "1.0", MULTIPLE, (
    (0, "PkgName", R, STRING, M, "0..255"),
    (1, "PkgVersion", R, STRING, M, "0..255"),
    (2, "Package", W, OPAQUE, O),
    (3, "Package URI", W, STRING, O, "0..255"),
    (4, "Install", E, NONE, M),
    (5, "Checkpoint", R, OBJLNK, O),
    (6, "Uninstall", E, NONE, M),
    (7, "Update State", R, INTEGER, M, "0..4"),
    (8, "Update Supported Objects", RW, BOOLEAN, O),
    (9, "Update Result", R, INTEGER, M, "0..200"),
    (10, "Activate", E, NONE, M),
    (11, "Deactivate", E, NONE, M),
    (12, "Activation State", R, BOOLEAN, M),
    (13, "Package Settings", RW, OBJLNK, O),
    (14, "User Name", W, STRING, O, "0..255"),
    (15, "Password", W, STRING, O, "0..255"),
    (16, "Status Reason", R, STRING, O),
    (17, "Software Component Link", R, OBJLNK, OM),
    (18, "Software Component tree length", R, INTEGER, O, "0..255"),
))

_table(15, "DevCapMgmt", "2.0", "1.0", MULTIPLE, (
    (0, "Property", R, STRING, M),
    (1, "Group", R, INTEGER, M, "0..15"),
    (2, "Description", R, STRING, O),
    (3, "Attached", R, BOOLEAN, O),
    (4, "Enabled", R, BOOLEAN, M),
    (5, "opEnable", E, NONE, M),
    (6, "opDisable", E, NONE, M),
    (7, "NotifyEn", RW, BOOLEAN, O),
))

# Registry sizes "1 bytes" / "2 bytes" (Integer) and "32 bytes" (String) as ranges.
_table(19, "BinaryAppDataContainer", "1.0", "1.0", MULTIPLE, (
    (0, "Data", RW, OPAQUE, MM),
    (1, "Data Priority", RW, INTEGER, O, "0..255"),
    (2, "Data Creation Time", RW, TIME, O),
    (3, "Data Description", RW, STRING, O, "0..32"),
    (4, "Data Format", RW, STRING, O, "0..32"),
    (5, "App ID", RW, INTEGER, O, "0..65535"),
))

_table(10250, "App Data Container", "1.0", "1.0", O, (
    (0, "UL data", R, OPAQUE, M),
    (1, "DL data", W, OPAQUE, M),
))

# The defaults first: a registry built from ``ALL`` answers these for a bare object id.
DEFAULTS = (
    (0, "1.1"),
    (1, "1.1"),
    (2, "1.1"),
    (3, "1.2"),
    (4, "1.3"),
    (5, "1.2"),
    (6, "1.0"),
    (7, "1.0"),
    (9, "1.0"),
    (15, "2.0"),
    (19, "1.0"),
    (10250, "1.0"),
)

# Other versions available on request (``Registry.get(oid, "1.0")``): for 1.0 servers.
LWM2M_1_0_VERSIONS = ((0, "1.0"), (1, "1.0"))

ALL = DEFAULTS + LWM2M_1_0_VERSIONS

_DEFAULT_VERSION = dict(DEFAULTS)
_BUILT: "dict[tuple[int, str], ObjectDefinition]" = {}


def definition(oid: int, version: "str | None" = None) -> "ObjectDefinition":
    """The standard definition of ``oid`` (its default version, or ``version``).

    Raises KeyError when there is no such table; ``find`` answers None instead.
    """
    found = find(oid, version)
    if found is None:
        raise KeyError("no standard object %d%s" % (oid, "" if version is None else " v" + version))
    return found


def find(oid: int, version: "str | None" = None) -> "ObjectDefinition | None":
    """The standard definition of ``oid`` (its default version, or ``version``), or None.

    Built from its table on first use and shared from then on: a device pays memory only
    for the objects it looks up (this matters on MicroPython).
    """
    if version is None:
        version = _DEFAULT_VERSION.get(oid)
        if version is None:
            return None
    key = (oid, version)
    built = _BUILT.get(key)
    if built is None:
        table = _TABLES.pop(key, None)
        if table is None:
            return None
        name, lwm2m_version, flags, rows = table
        built = define(oid, name, version, lwm2m_version, flags, rows)
        _BUILT[key] = built
    return built
