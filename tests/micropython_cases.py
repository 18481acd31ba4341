"""Test modules that also run under the real ``micropython`` binary.

Each listed module imports only ``tests.support`` and the code under test, and its
``test_*`` functions take no arguments (names in a module-level ``CPYTHON_ONLY`` tuple
are left out under MicroPython). A layer adds its cases with one line here.
"""

MODULES = [
    "tests.test_support",
    "tests.objects.test_path",
    "tests.lwm2m.test_config",
    "tests.lwm2m.test_store",
    "tests.lwm2m.test_registration",
    "tests.lwm2m.test_bootstrap",
    "tests.lwm2m.test_access",
    "tests.lwm2m.test_attributes",
    "tests.lwm2m.test_notify",
    "tests.lwm2m.test_bootstrap_ini",
    "tests.objects.test_types",
    "tests.objects.test_errors",
    "tests.objects.test_definitions",
    "tests.objects.test_execute",
    "tests.objects.test_base",
    "tests.coap.test_vectors",
    "tests.coap.test_codec",
    "tests.lwm2m.test_format_vectors",
    "tests.dtls_psk.test_crypto_vectors",
    "tests.dtls_psk.test_transcript",
    "tests.dtls_psk.test_records",
    "tests.dtls_psk.test_handshake",
    "tests.dtls_psk.test_state_machine",
    "tests.dtls_psk.test_lossy_link",
    "tests.lwm2m.test_format_vectors",
    "tests.lwm2m.test_format_codecs",
    "tests.dtls_psk.test_server",
    "tests.coap.test_vectors",
    "tests.coap.test_codec",
    "tests.lwm2m.test_client_registration",
    "tests.lwm2m.test_client_dm",
    "tests.lwm2m.test_client_objects",
    "tests.lwm2m.test_client_coap",
    "tests.lwm2m.test_client_with_server",
    "tests.server.test_rules",
    "tests.server.test_registration_if",
    "tests.server.test_bootstrap_if",
    "tests.server.test_device_management_if",
    "tests.coap.test_endpoint",
    "tests.lwm2m.test_client_reporting",
]
