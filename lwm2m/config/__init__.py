"""The BG96-compatible configuration: ``lwm2m_cfg``, ``carrier_apn_cfg``, PSK files and
endpoint names (spec/bg96.md), parsed from text with errors naming file, line and key."""

from lwm2m.config.apn import ApnProfile, parse_apn_cfg
from lwm2m.config.bootstrap_ini import BootstrapInstance, parse_bootstrap_ini
from lwm2m.config.directory import ClientConfiguration, load_directory
from lwm2m.config.endpoint import ENDPOINT_MODE_IMEI, ENDPOINT_MODE_IMEI_MSISDN, endpoint_name
from lwm2m.config.errors import ConfigError
from lwm2m.config.psk import PskCredential, format_psk_file, parse_psk_file
from lwm2m.config.settings import ClientSettings, parse_lwm2m_cfg

__all__ = [
    "ENDPOINT_MODE_IMEI",
    "ENDPOINT_MODE_IMEI_MSISDN",
    "ApnProfile",
    "BootstrapInstance",
    "ClientConfiguration",
    "ClientSettings",
    "ConfigError",
    "PskCredential",
    "endpoint_name",
    "format_psk_file",
    "load_directory",
    "parse_apn_cfg",
    "parse_bootstrap_ini",
    "parse_lwm2m_cfg",
    "parse_psk_file",
]
